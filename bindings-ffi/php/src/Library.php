<?php

declare(strict_types=1);

namespace ImpactConversions;

use FFI;
use FFI\CData;

/**
 * The native library (libimpact_conversions), loaded once per process through PHP's FFI
 * extension with the committed C header (bindings-ffi/include/impact_conversions.h).
 *
 * Where the library is found, first match wins:
 *  1. the environment variable IMPACT_CONVERSIONS_LIB;
 *  2. Library::setPath() or the Client option 'library';
 *  3. next to this package (its root or lib/), then target/release and target/debug of the
 *     repository the package sits in.
 *
 * The header is read from IMPACT_CONVERSIONS_HEADER, else the repository's
 * bindings-ffi/include/, else next to the library. Preprocessor lines (which PHP's FFI
 * parser does not understand) are stripped when it is loaded; the file itself is used as
 * committed.
 */
final class Library
{
    public const ENV_LIB = 'IMPACT_CONVERSIONS_LIB';
    public const ENV_HEADER = 'IMPACT_CONVERSIONS_HEADER';
    /** FFI scope name used by preload() and found again with FFI::scope() in each request. */
    public const SCOPE = 'IMPACT_CONVERSIONS';

    private static ?FFI $ffi = null;
    private static ?string $loaded = null;
    private static ?string $configured = null;

    private function __construct()
    {
    }

    /**
     * Sets the library path used when IMPACT_CONVERSIONS_LIB is not set (before the first call).
     */
    public static function setPath(string $path): void
    {
        self::$configured = $path;
        if (self::$ffi !== null && self::envLib() === null) {
            self::checkSame($path);
        }
    }

    /** The path the library was loaded from, or null before the first call. */
    public static function loadedPath(): ?string
    {
        return self::$loaded;
    }

    /** The version of the loaded library (e.g. "0.1.0"). */
    public static function version(): string
    {
        return (string) self::ffi()->impact_version();
    }

    /**
     * The FFI handle, loading the library on first use.
     *
     * @internal
     */
    public static function ffi(?string $option = null): FFI
    {
        if (self::$ffi !== null) {
            if ($option !== null && self::envLib() === null) {
                self::checkSame($option);
            }
            return self::$ffi;
        }
        if (!extension_loaded('ffi')) {
            throw new ConfigException(
                "PHP's FFI extension is not loaded: install it (Debian: php-ffi is part of php-cli; "
                . "otherwise build PHP with --with-ffi) and enable extension=ffi"
            );
        }
        // Preloaded (opcache.preload calling Library::preload()): the definitions live in
        // shared memory and are fetched by scope, the only way FFI works under
        // ffi.enable=preload outside the CLI.
        try {
            $scoped = FFI::scope(self::SCOPE);
            self::$ffi = $scoped;
            self::$loaded = self::$loaded ?? '(preloaded scope ' . self::SCOPE . ')';
            return $scoped;
        } catch (\Throwable) {
            // not preloaded: load it now
        }
        $path = self::resolve($option);
        try {
            self::$ffi = FFI::cdef(self::definitions(self::headerPath($path)), $path);
        } catch (FFI\Exception $e) {
            throw self::loadError($e, $path);
        }
        self::$loaded = $path;
        return self::$ffi;
    }

    /**
     * The header for ffi.preload (php.ini), the way FPM and Apache load the library under
     * the default ffi.enable=preload: the committed header's declarations with FFI_SCOPE
     * and FFI_LIB. Write it at deploy time (bin/impact-ffi-header does) and set
     * ffi.preload to that file; every request then finds the library with FFI::scope().
     */
    public static function preloadHeader(?string $library = null): string
    {
        $lib = self::resolve($library);
        return '#define FFI_SCOPE "' . self::SCOPE . "\"\n#define FFI_LIB \"" . addcslashes($lib, "\"\\") . "\"\n"
            . self::definitions(self::headerPath($lib)) . "\n";
    }

    /**
     * For an opcache.preload script: loads the library into the FFI scope
     * IMPACT_CONVERSIONS (FFI::load() of preloadHeader() through a temporary file), so that
     * requests find it with FFI::scope(). PHP refuses FFI::load() when opcache.preload_user
     * is set (needed when the server starts as root): use ffi.preload there.
     */
    public static function preload(?string $library = null): void
    {
        $text = self::preloadHeader($library);
        $file = tempnam(sys_get_temp_dir(), 'impact-ffi-');
        if ($file === false || file_put_contents($file, $text) === false) {
            throw new ConfigException('cannot write the FFI definitions to a temporary file in ' . sys_get_temp_dir());
        }
        try {
            $ffi = FFI::load($file);
        } catch (FFI\Exception $e) {
            throw new ConfigException('FFI::load() failed: ' . $e->getMessage());
        } finally {
            @unlink($file);
        }
        if ($ffi === null) {
            throw new ConfigException('FFI::load() could not load the library (see the PHP warning above)');
        }
        self::$ffi = $ffi;
    }

    /**
     * The header's declarations without the lines PHP's FFI parser cannot read
     * (#include, #define, #ifndef/#endif guards, and the C++ `extern "C"` block).
     *
     * @internal
     */
    public static function definitions(string $headerPath): string
    {
        $text = @file_get_contents($headerPath);
        if ($text === false) {
            throw new ConfigException("cannot read the C header $headerPath (set " . self::ENV_HEADER . ')');
        }
        $out = [];
        $cplusplus = false;
        foreach (preg_split('/\R/', $text) ?: [] as $line) {
            $t = ltrim($line);
            if (preg_match('/^#\s*ifdef\s+__cplusplus\b/', $t)) {
                $cplusplus = true;
                continue;
            }
            if ($cplusplus) {
                if (preg_match('/^#\s*endif\b/', $t)) {
                    $cplusplus = false;
                }
                continue;
            }
            if (str_starts_with($t, '#')) {
                continue;
            }
            $out[] = $line;
        }
        return implode("\n", $out);
    }

    /**
     * Which library file to load (see the class comment for the order).
     *
     * @internal
     */
    public static function resolve(?string $option = null): string
    {
        $env = self::envLib();
        if ($env !== null) {
            if (!is_file($env)) {
                throw new ConfigException(self::ENV_LIB . " is $env, which is not a file: build the library "
                    . '(cargo build --release -p impact-conversions-ffi) and point it at target/release/' . self::fileName());
            }
            return $env;
        }
        $given = $option ?? self::$configured;
        if ($given !== null) {
            if (!is_file($given)) {
                throw new ConfigException("the library path $given is not a file");
            }
            return $given;
        }
        $package = dirname(__DIR__);
        $repo = dirname($package, 2);
        $candidates = [
            $package . '/' . self::fileName(),
            $package . '/lib/' . self::fileName(),
            $repo . '/target/release/' . self::fileName(),
            $repo . '/target/debug/' . self::fileName(),
        ];
        foreach ($candidates as $c) {
            if (is_file($c)) {
                return $c;
            }
        }
        throw new ConfigException('libimpact_conversions not found (looked in ' . implode(', ', $candidates)
            . '): build it with `cargo build --release -p impact-conversions-ffi` and set '
            . self::ENV_LIB . ' to target/release/' . self::fileName());
    }

    private static function envLib(): ?string
    {
        $env = getenv(self::ENV_LIB);
        return $env === false || $env === '' ? null : $env;
    }

    private static function headerPath(string $lib): string
    {
        $env = getenv(self::ENV_HEADER);
        if ($env !== false && $env !== '') {
            return $env;
        }
        $name = 'impact_conversions.h';
        $package = dirname(__DIR__);
        $candidates = [
            dirname($package) . '/include/' . $name,
            $package . '/include/' . $name,
            dirname($lib) . '/' . $name,
            dirname($lib, 2) . '/include/' . $name,
            dirname($lib, 3) . '/bindings-ffi/include/' . $name,
        ];
        foreach ($candidates as $c) {
            if (is_file($c)) {
                return $c;
            }
        }
        throw new ConfigException("the C header $name was not found (looked in " . implode(', ', $candidates)
            . '): set ' . self::ENV_HEADER);
    }

    private static function fileName(): string
    {
        return match (PHP_OS_FAMILY) {
            'Windows' => 'impact_conversions.dll',
            'Darwin' => 'libimpact_conversions.dylib',
            default => 'libimpact_conversions.so',
        };
    }

    private static function checkSame(string $path): void
    {
        $a = realpath($path);
        $b = self::$loaded !== null ? realpath(self::$loaded) : false;
        if ($b !== false && $a !== $b) {
            throw new ConfigException("the library is already loaded from " . self::$loaded
                . "; a process loads it once (asked for $path)");
        }
    }

    private static function loadError(FFI\Exception $e, string $path): ConfigException
    {
        $message = $e->getMessage();
        if (str_contains($message, 'ffi.enable')) {
            return new ConfigException(
                'FFI is disabled here by ffi.enable=' . ini_get('ffi.enable') . ': in the CLI it works by default; '
                . 'under PHP-FPM/Apache either set ffi.enable=1 or preload the library '
                . '(opcache.preload with a script calling ImpactConversions\\Library::preload())'
            );
        }
        return new ConfigException("cannot load $path through FFI: $message");
    }

    /**
     * Reads and frees a string written by the library.
     *
     * @internal
     */
    /**
     * Calls one JSON-returning function of the library with $args and its out-pointer; the
     * result text, or the ImpactException for the status (with $notes on unsupported values).
     * $args may hold the click-id config's hand-off secret: kept out of stack traces.
     *
     * @param list<mixed> $args
     * @param list<string> $notes
     */
    public static function call(string $fn, #[\SensitiveParameter] array $args, array $notes = []): string
    {
        $ffi = self::ffi();
        $out = $ffi->new('char*');
        $status = $ffi->$fn(...[...$args, FFI::addr($out)]);
        $text = self::take($ffi, $out);
        if ($status !== 0) {
            throw ImpactException::fromJson($text, $notes);
        }
        return $text;
    }

    public static function take(FFI $ffi, CData $out): string
    {
        if (FFI::isNull($out)) {
            return '';
        }
        $text = FFI::string($out);
        $ffi->impact_string_free($out);
        return $text;
    }
}
