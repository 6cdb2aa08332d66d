import type { ParserDefinition } from '../parser';
import { singleLineParser } from '../single-line';
import { wallMsFromYmdHis } from '../time';

// What `php artisan queue:work` prints for each job (Laravel 6, which dujiaoka 1.x and 2.x
// use): `[2026-11-21 14:03:11][<job id>] Processing: App\Jobs\OrderExpired`, then
// `Processed:  …` or `Failed:     …` (the status is padded to 11 characters). The time is the
// app's wall time (config/app.php timezone PRC); the job id is the queue driver's (a random
// 32-character string for redis, which both lines of dujiaoka's .env.example choose; a number
// for the database driver). Source: laravel/framework src/Illuminate/Queue/Console/WorkCommand.php
// writeStatus. With no terminal (supervisor, nohup) the <info>/<comment> tags are stripped.
//
// Fields: job_id, status (Processing, Processed, Failed), job (the job class), message (the
// line after the time). No order number is ever printed: see docs/log-shapes.md for what these
// lines can and cannot tell.

const LINE = /^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\]\[([^\]]{1,64})\] (Processing|Processed|Failed|Restarting):\s+(\S+)\s*$/;

export const laravelQueue: ParserDefinition = {
  id: 'laravel-queue',
  family: 'laravel-queue',
  describe: 'Laravel queue:work output (dujiaoka queue worker, supervisor or nohup log): [time][job id] Processing: App\\Jobs\\X',
  detect(sample) {
    let hits = 0;
    for (const l of sample) if (l.charCodeAt(0) === 91 /* [ */ && LINE.test(l)) hits++;
    return hits === 0 ? 0 : Math.min(1, (hits / sample.length) * 1.2);
  },
  create(ctx, sink) {
    return singleLineParser(ctx, sink, (text) => {
      const m = LINE.exec(text);
      if (m === null) return 'not a queue:work status line / 不是队列任务状态行';
      const wall = wallMsFromYmdHis(m[1]!);
      if (Number.isNaN(wall)) return `bad timestamp [${m[1]}] / 时间戳无效`;
      const r = ctx.clock.resolveWall(wall);
      return {
        format: 'laravel-queue',
        tsMs: r.ms,
        tzOffsetMin: r.offsetMin,
        fields: { job_id: m[2]!, status: m[3]!, job: m[4]!, message: `${m[3]}: ${m[4]}` },
      };
    });
  },
};
