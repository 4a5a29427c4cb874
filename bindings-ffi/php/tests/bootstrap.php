<?php

declare(strict_types=1);

// No Composer here: a PSR-4 loader for the package and its tests, Debian's autoloaders for
// the PSR-7 implementation (php-nyholm-psr7). PSR-3/7/15 interfaces come from the php-psr
// extension.

spl_autoload_register(static function (string $class): void {
    foreach (['ImpactConversions\\Tests\\' => __DIR__ . '/', 'ImpactConversions\\' => dirname(__DIR__) . '/src/'] as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});
require dirname(__DIR__) . '/src/functions.php';

foreach (['/usr/share/php/Nyholm/Psr7/autoload.php', '/usr/share/php/Http/Message/autoload.php'] as $file) {
    if (is_file($file)) {
        require_once $file;
    }
}
if (!interface_exists(\Psr\Http\Server\MiddlewareInterface::class) || !interface_exists(\Psr\Log\LoggerInterface::class)) {
    fwrite(STDERR, "the PSR interfaces are missing: install php-psr (apt-get install php-psr)\n");
    exit(1);
}
