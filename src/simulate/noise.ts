// Background traffic that is not an order: health checks, browsing, crawlers, vulnerability scanners,
// the operator's admin session, and the occasional unrelated Laravel error.
import { makeBuyer, publicIp } from './buyers';
import { laravelException } from './laravel';
import type { Rng } from './prng';
import { pageBytes, Session } from './session';
import { sampleInstant } from './traffic';
import { access, APP_SINK, type World } from './world';
import { ADMIN_UA, adminIp } from './platforms/admin';
import { staticAssets } from './platforms/dujiaoka';

const BOTS: readonly (readonly [string, string])[] = [
  ['Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)', '220.181'],
  ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', '66.249'],
  ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', '40.77'],
  ['Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)', '5.255'],
  ['Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', '54.36'],
  ['Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)', '185.191'],
  ['Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)', '114.119'],
  ['Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)', '110.249'],
];

const SCAN_PATHS: readonly string[] = [
  '/wp-login.php', '/.env', '/.git/config', '/phpmyadmin/index.php', '/admin/.env', '/api/.env', '/.aws/credentials',
  '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', '/xmlrpc.php', '/wp-content/plugins/wp-file-manager/readme.txt',
  '/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=md5&vars[1][]=HelloThinkPHP21',
  '/boaform/admin/formLogin', '/cgi-bin/luci/;stok=/locale', '/actuator/env', '/config.json', '/backup.zip', '/www.zip',
  '/shop.sql', '/.DS_Store', '/server-status', '/solr/admin/info/system?wt=json', '/owa/auth/logon.aspx', '/.svn/entries',
  '/public/index.php?s=index/index/index', '/storage/logs/laravel.log', '/.env.bak', '/debug/default/view?panel=config',
  '/_ignition/execute-solution', '/telescope/requests', '/manager/html', '/HNAP1/', '/webui/', '/geoserver/web/',
];

const SCAN_UAS: readonly string[] = [
  'Mozilla/5.0 zgrab/0.x', 'python-requests/2.31.0', 'Go-http-client/1.1', 'curl/7.88.1', 'Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36', 'Mozilla/5.0 (l9scan/2.0.; +https://leakix.net)',
];

function hostOf(w: World, rng: Rng): number {
  return rng.int(0, w.hosts.length - 1);
}

/** Proxy health checks on every host, once a minute (Tengine-style `HEAD / HTTP/1.0`). */
function healthChecks(w: World, rng: Rng): void {
  for (let h = 0; h < w.hosts.length; h++) {
    const first = w.startMs + rng.int(0, 59_999);
    for (let t = first; t < w.endMs; t += 60_000) {
      access(w, h, t + rng.int(0, 40), { remoteAddr: w.proxyIp, request: 'HEAD / HTTP/1.0', status: 200, bytes: 0 });
    }
  }
}

function browsers(w: World, rng: Rng, count: number): void {
  const acg = w.opts.platform === 'acg-faka';
  for (let i = 0; i < count; i++) {
    const r = rng.fork(`visit${i}`);
    const b = makeBuyer(r, w.hosts.length);
    const s = new Session(w, b, r);
    let t = sampleInstant(r, w, w.dayFactor);
    s.req(t, 'GET', '/', 200, pageBytes(r, acg ? 12600 : 15800), r.pick(['-', '-', 'https://www.baidu.com/', 'https://www.google.com/', 'https://t.me/']));
    staticAssets(s, r, t, `https://${w.site}/`, w.opts.platform);
    const pages = r.int(0, 3);
    for (let k = 0; k < pages; k++) {
      t += r.int(4, 90) * 1000;
      const g = r.pick(w.catalogue);
      s.req(t, 'GET', acg ? `/item/${g.id}` : `/buy/${g.id}`, 200, pageBytes(r, acg ? 8100 : 9200), `https://${w.site}/`);
    }
    if (!acg && r.chance(0.08)) {
      t += r.int(4, 60) * 1000;
      s.req(t, 'GET', '/order-search', 200, pageBytes(r, 4300), `https://${w.site}/`);
      s.req(t + r.int(8, 40) * 1000, 'POST', '/search-order-by-email', 200, pageBytes(r, 5200), `https://${w.site}/order-search`);
    }
    if (acg && r.chance(0.08)) s.req(t + r.int(4, 60) * 1000, 'GET', '/user/index/query', 200, pageBytes(r, 5600), `https://${w.site}/`);
  }
}

function crawlers(w: World, rng: Rng, count: number): void {
  const acg = w.opts.platform === 'acg-faka';
  for (let i = 0; i < count; i++) {
    const [ua, prefix] = rng.pick(BOTS);
    const t = w.startMs + Math.floor(rng.float() * (w.endMs - w.startMs));
    const ip = `${prefix}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    const x = rng.float();
    let path: string;
    let status = 200;
    let bytes: number;
    if (x < 0.12) {
      path = '/robots.txt';
      bytes = 24;
    } else if (x < 0.18) {
      path = '/sitemap.xml';
      status = 404;
      bytes = 146;
    } else if (x < 0.4) {
      path = '/';
      bytes = pageBytes(rng, acg ? 12600 : 15800);
    } else {
      const g = rng.pick(w.catalogue);
      path = acg ? `/item/${g.id}` : `/buy/${g.id}`;
      bytes = pageBytes(rng, acg ? 8100 : 9200);
    }
    access(w, hostOf(w, rng), t, { remoteAddr: w.proxyIp, request: `GET ${path} HTTP/1.1`, status, bytes, ua, xff: ip });
  }
}

/** Scanner bursts: a few dozen probes within a minute, some straight at a host's public address. */
function scanners(w: World, rng: Rng, bursts: number): void {
  for (let i = 0; i < bursts; i++) {
    const ip = publicIp(rng).replace(/^\d+/, String(rng.pick([45, 80, 103, 141, 167, 185, 193, 194, 195])));
    const ua = rng.pick(SCAN_UAS);
    const direct = rng.chance(0.3);
    const host = hostOf(w, rng);
    let t = w.startMs + Math.floor(rng.float() * (w.endMs - w.startMs));
    const n = rng.int(3, 30);
    for (let k = 0; k < n; k++) {
      t += rng.int(50, 4000);
      let request: string;
      let status = 404;
      let bytes = 146;
      let entryUa: string | undefined = ua;
      if (rng.chance(0.06)) {
        // a TLS handshake sent to the plain-HTTP port: nginx logs the raw bytes, escaped
        const raw = '\x16\x03\x01\x00\xfa\x01\x00\x00\xf6\x03\x03' + rng.bytes(rng.int(8, 24)).toString('latin1');
        request = raw;
        status = 400;
        bytes = 157;
        entryUa = undefined;
      } else {
        const path = rng.pick(SCAN_PATHS);
        const method = path === '/_ignition/execute-solution' || path.startsWith('/boaform') ? 'POST' : 'GET';
        request = `${method} ${path} HTTP/1.1`;
        if (path === '/.env' || path === '/.git/config' || path === '/storage/logs/laravel.log') status = 403;
        if (status === 403) bytes = 548;
      }
      access(w, host, t, {
        remoteAddr: direct ? ip : w.proxyIp,
        request,
        status,
        bytes,
        ua: entryUa,
        xff: direct ? undefined : ip,
      });
    }
  }
}

function adminSessions(w: World, rng: Rng, perDay: number): void {
  const days = Math.max(1, Math.round((w.endMs - w.startMs) / 86_400_000));
  const ip = adminIp(w);
  const acg = w.opts.platform === 'acg-faka';
  const paths = acg
    ? ['/admin/dashboard/index', '/admin/trade/order', '/admin/commodity/index', '/admin/card/index']
    : ['/admin', '/admin/order', '/admin/order?page=2', '/admin/goods', '/admin/carmis', '/admin/order?status=4'];
  for (let i = 0; i < perDay * days; i++) {
    let t = sampleInstant(rng, w, w.dayFactor);
    const host = hostOf(w, rng);
    const base = { remoteAddr: w.proxyIp, ua: ADMIN_UA, xff: ip };
    if (rng.chance(0.3)) {
      const login = acg ? '/admin/authentication/login' : '/admin/auth/login';
      access(w, host, t, { ...base, request: `GET ${login} HTTP/1.1`, status: 200, bytes: rng.int(3800, 4200), referer: '-' });
      t += rng.int(5, 20) * 1000;
      access(w, host, t, { ...base, request: `POST ${acg ? '/admin/api/authentication/login' : login} HTTP/1.1`, status: 200, bytes: rng.int(60, 90), referer: `https://${w.site}${login}` });
    }
    const n = rng.int(2, 10);
    for (let k = 0; k < n; k++) {
      t += rng.int(3, 120) * 1000;
      access(w, host, t, { ...base, request: `GET ${rng.pick(paths)} HTTP/1.1`, status: 200, bytes: rng.int(8000, 30000), referer: `https://${w.site}/admin` });
      if (!acg && rng.chance(0.3)) access(w, host, t + 400, { ...base, request: 'POST /admin/dcat-api/value HTTP/1.1', status: 200, bytes: rng.int(30, 80), referer: `https://${w.site}/admin` });
    }
  }
}

/** Unrelated Laravel errors (queue mail failures) that every real laravel.log has. */
function laravelNoise(w: World, rng: Rng, count: number): void {
  if (w.opts.platform !== 'dujiaoka') return;
  for (let i = 0; i < count; i++) {
    const t = sampleInstant(rng, w, w.dayFactor);
    w.bus.emit(
      APP_SINK,
      t,
      laravelException(t, w.env, {
        cls: 'Swift_TransportException',
        code: 0,
        message: 'Connection could not be established with host smtp.qq.com :stream_socket_client(): unable to connect to ssl://smtp.qq.com:465 (Connection timed out)',
        at: 'vendor/swiftmailer/swiftmailer/lib/classes/Swift/Transport/StreamBuffer.php:269',
        frames: [
          'vendor/swiftmailer/swiftmailer/lib/classes/Swift/Transport/StreamBuffer.php(62): Swift_Transport_StreamBuffer->establishSocketConnection()',
          'vendor/swiftmailer/swiftmailer/lib/classes/Swift/Transport/AbstractSmtpTransport.php(113): Swift_Transport_StreamBuffer->initialize()',
          'vendor/swiftmailer/swiftmailer/lib/classes/Swift/Mailer.php(71): Swift_Transport_AbstractSmtpTransport->start()',
          'vendor/laravel/framework/src/Illuminate/Mail/Mailer.php(521): Swift_Mailer->send()',
          'app/Jobs/MailSend.php(62): Illuminate\\Mail\\Mailer->send()',
          '[internal function]: App\\Jobs\\MailSend->handle()',
          'vendor/laravel/framework/src/Illuminate/Container/BoundMethod.php(32): call_user_func_array()',
          'vendor/laravel/framework/src/Illuminate/Queue/Worker.php(356): Illuminate\\Queue\\Jobs\\Job->fire()',
          'vendor/laravel/framework/src/Illuminate/Queue/Console/WorkCommand.php(102): Illuminate\\Queue\\Worker->runNextJob()',
          'artisan(37): Illuminate\\Foundation\\Console\\Kernel->handle()',
        ],
        http: false,
      }),
    );
  }
}

/** All background traffic for the run, scaled to the order volume. */
export function simulateNoise(w: World): void {
  const rng = w.rng.fork('noise');
  const days = (w.endMs - w.startMs) / 86_400_000;
  const perDay = w.opts.orders / days;
  healthChecks(w, rng.fork('health'));
  browsers(w, rng.fork('browsers'), Math.round(perDay * 1.2 * days));
  crawlers(w, rng.fork('crawlers'), Math.round((150 + perDay * 0.25) * days));
  scanners(w, rng.fork('scanners'), Math.round((6 + perDay * 0.004) * days));
  adminSessions(w, rng.fork('admin'), 4);
  laravelNoise(w, rng.fork('laravel'), Math.round((1 + perDay / 800) * days));
}
