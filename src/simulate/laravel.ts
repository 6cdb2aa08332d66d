// Laravel 6 / Monolog `single`/`daily` channel lines (docs/log-shapes.md). Laravel's LineFormatter has
// allowInlineLineBreaks and ignoreEmptyContextAndExtra on, so an entry is
// `[Y-m-d H:i:s] env.LEVEL: message {context} ` (the empty %extra% leaves a trailing space) and an
// exception's JSON-escaped `\n` become real line breaks.
import { ymdHis } from './time';

export type LaravelLevel = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** One single-line entry. Context is JSON as Monolog writes it (unescaped slashes and unicode). */
export function laravelLine(ms: number, env: string, level: LaravelLevel, message: string, context?: Record<string, unknown>): string {
  const ctx = context && Object.keys(context).length > 0 ? JSON.stringify(context) : '';
  return ['[', ymdHis(ms), '] ', env, '.', level, ': ', message, ' ', ctx, ' '].join('');
}

export const APP_ROOT = '/www/wwwroot/shop';

/** The Laravel 6 HTTP pipeline below a controller action, innermost first after the action itself. */
const PIPELINE: readonly string[] = [
  'vendor/laravel/framework/src/Illuminate/Routing/Controller.php(54): call_user_func_array()',
  'vendor/laravel/framework/src/Illuminate/Routing/ControllerDispatcher.php(45): Illuminate\\Routing\\Controller->callAction()',
  'vendor/laravel/framework/src/Illuminate/Routing/Route.php(219): Illuminate\\Routing\\ControllerDispatcher->dispatch()',
  'vendor/laravel/framework/src/Illuminate/Routing/Route.php(176): Illuminate\\Routing\\Route->runController()',
  'vendor/laravel/framework/src/Illuminate/Routing/Router.php(681): Illuminate\\Routing\\Route->run()',
  'vendor/laravel/framework/src/Illuminate/Pipeline/Pipeline.php(130): Illuminate\\Routing\\Router->Illuminate\\Routing\\{closure}()',
  'vendor/laravel/framework/src/Illuminate/Routing/Middleware/SubstituteBindings.php(41): Illuminate\\Pipeline\\Pipeline->Illuminate\\Pipeline\\{closure}()',
  'vendor/laravel/framework/src/Illuminate/Pipeline/Pipeline.php(171): Illuminate\\Routing\\Middleware\\SubstituteBindings->handle()',
  'vendor/laravel/framework/src/Illuminate/Routing/Router.php(683): Illuminate\\Pipeline\\Pipeline->then()',
  'vendor/laravel/framework/src/Illuminate/Routing/Router.php(658): Illuminate\\Routing\\Router->runRouteWithinStack()',
  'vendor/laravel/framework/src/Illuminate/Routing/Router.php(624): Illuminate\\Routing\\Router->runRoute()',
  'vendor/laravel/framework/src/Illuminate/Routing/Router.php(613): Illuminate\\Routing\\Router->dispatchToRoute()',
  'vendor/laravel/framework/src/Illuminate/Foundation/Http/Kernel.php(170): Illuminate\\Routing\\Router->dispatch()',
  'vendor/laravel/framework/src/Illuminate/Pipeline/Pipeline.php(130): Illuminate\\Foundation\\Http\\Kernel->Illuminate\\Foundation\\Http\\{closure}()',
  'vendor/laravel/framework/src/Illuminate/Foundation/Http/Middleware/TransformsRequest.php(21): Illuminate\\Pipeline\\Pipeline->Illuminate\\Pipeline\\{closure}()',
  'vendor/laravel/framework/src/Illuminate/Pipeline/Pipeline.php(171): Illuminate\\Foundation\\Http\\Middleware\\TransformsRequest->handle()',
  'vendor/laravel/framework/src/Illuminate/Foundation/Http/Middleware/ValidatePostSize.php(27): Illuminate\\Pipeline\\Pipeline->Illuminate\\Pipeline\\{closure}()',
  'vendor/laravel/framework/src/Illuminate/Pipeline/Pipeline.php(171): Illuminate\\Foundation\\Http\\Middleware\\ValidatePostSize->handle()',
  'vendor/laravel/framework/src/Illuminate/Foundation/Http/Middleware/CheckForMaintenanceMode.php(63): Illuminate\\Pipeline\\Pipeline->Illuminate\\Pipeline\\{closure}()',
  'vendor/laravel/framework/src/Illuminate/Pipeline/Pipeline.php(171): Illuminate\\Foundation\\Http\\Middleware\\CheckForMaintenanceMode->handle()',
  'vendor/laravel/framework/src/Illuminate/Pipeline/Pipeline.php(105): Illuminate\\Pipeline\\Pipeline->Illuminate\\Pipeline\\{closure}()',
  'vendor/laravel/framework/src/Illuminate/Foundation/Http/Kernel.php(145): Illuminate\\Pipeline\\Pipeline->then()',
  'vendor/laravel/framework/src/Illuminate/Foundation/Http/Kernel.php(110): Illuminate\\Foundation\\Http\\Kernel->sendRequestThroughRouter()',
  'public/index.php(55): Illuminate\\Foundation\\Http\\Kernel->handle()',
];

export interface LaravelException {
  /** Fully qualified class, e.g. `App\Exceptions\RuleValidationException`. */
  cls: string;
  code: number | string;
  message: string;
  /** `file.php:line` relative to the app root where it was thrown. */
  at: string;
  /** Frames above the HTTP pipeline, innermost first, relative to the app root or `[internal function]: …`. */
  frames: readonly string[];
  /** Include the HTTP pipeline frames (true for controller exceptions). */
  http?: boolean;
}

function jsonEscapeBackslashes(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function frameText(f: string): string {
  return f.startsWith('[internal') ? f : `${APP_ROOT}/${f}`;
}

/** An ERROR entry with its `[stacktrace]` body: several physical lines (no trailing newline). */
export function laravelException(ms: number, env: string, e: LaravelException): string[] {
  const frames = [...e.frames, ...(e.http === false ? [] : PIPELINE)].map(frameText);
  const head =
    `[${ymdHis(ms)}] ${env}.ERROR: ${e.message} {"exception":"[object] (${jsonEscapeBackslashes(e.cls)}(code: ${e.code}): ` +
    `${jsonEscapeBackslashes(e.message)} at ${APP_ROOT}/${e.at})`;
  const lines = [head, '[stacktrace]'];
  frames.forEach((f, i) => lines.push(`#${i} ${jsonEscapeBackslashes(f)}`));
  lines.push(`#${frames.length} {main}`);
  lines.push('"} ');
  return lines;
}
