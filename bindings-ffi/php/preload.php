<?php

declare(strict_types=1);

/*
 * opcache.preload script for PHP-FPM / Apache, where the default ffi.enable=preload allows
 * FFI only to preloaded code. It preloads this package's classes and, unless php.ini's
 * ffi.preload already loaded the library, loads it with FFI::load() (which PHP refuses when
 * opcache.preload_user is set; then use ffi.preload with bin/impact-ffi-header):
 *
 *   opcache.enable=1
 *   opcache.preload=/path/to/vendor/impact-conversions/impact-conversions/preload.php
 *   opcache.preload_user=www-data          ; when the server starts as root
 *   ffi.preload=/etc/php/impact_conversions.h   ; written by bin/impact-ffi-header
 */

$vendor = dirname(__DIR__, 2) . '/autoload.php';
if (is_file($vendor)) {
    require_once $vendor;
}
spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'ImpactConversions\\')) {
        $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen('ImpactConversions\\'))) . '.php';
        if (is_file($file)) {
            require_once $file;
        }
    }
});
foreach (glob(__DIR__ . '/src/*.php') ?: [] as $file) {
    $class = 'ImpactConversions\\' . basename($file, '.php');
    if ($class === 'ImpactConversions\\functions') {
        require_once $file;
    } elseif ($class !== 'ImpactConversions\\ClickIdMiddleware' || interface_exists('Psr\\Http\\Server\\MiddlewareInterface')) {
        class_exists($class) || interface_exists($class);
    }
}

$scoped = false;
try {
    FFI::scope(ImpactConversions\Library::SCOPE);
    $scoped = true; // ffi.preload did it
} catch (Throwable) {
}
if (!$scoped) {
    if ((string) ini_get('opcache.preload_user') !== '') {
        trigger_error('impact-conversions: FFI::load() does not work with opcache.preload_user; '
            . 'set ffi.preload to a header written by bin/impact-ffi-header', E_USER_WARNING);
    } else {
        ImpactConversions\Library::preload();
    }
}
