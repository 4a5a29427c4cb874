<?php

declare(strict_types=1);

namespace ImpactConversions\Tests;

use ImpactConversions\Impact;
use ImpactConversions\Library;
use PHPUnit\Framework\TestCase;

/** Loading the library: the committed header, the path search, the errors. */
final class LibraryTest extends TestCase
{
    private const HEADER = __DIR__ . '/../../include/impact_conversions.h';

    /** Runs PHP code in a fresh process with the given environment; returns its output. */
    private static function php(string $code, array $env): string
    {
        $bootstrap = var_export(__DIR__ . '/bootstrap.php', true);
        $script = "<?php require $bootstrap; try { $code } catch (ImpactConversions\\ImpactException \$e) { echo get_class(\$e), ': ', \$e->getMessage(); }";
        $file = tempnam(sys_get_temp_dir(), 'impact-lib-');
        file_put_contents($file, $script);
        $base = getenv();
        unset($base['IMPACT_CONVERSIONS_LIB']);
        $p = proc_open([PHP_BINARY, '-d', 'ffi.enable=1', $file], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env + $base);
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        proc_close($p);
        unlink($file);
        return $out;
    }

    public function testHeaderIsUsedAsCommitted(): void
    {
        $defs = Library::definitions(self::HEADER);
        self::assertDoesNotMatchRegularExpression('/^\s*#/m', $defs);
        self::assertStringNotContainsString('extern "C"', $defs);
        self::assertStringContainsString('enum ImpactStatus impact_submit(const struct ImpactClient *client,', $defs);
        // Every function of the header is declared for FFI.
        preg_match_all('/\b(impact_[a-z_]+)\(/', (string) file_get_contents(self::HEADER), $m);
        Impact::version();
        $ffi = \FFI::cdef($defs, Library::loadedPath());
        foreach (array_unique($m[1]) as $fn) {
            self::assertMatchesRegularExpression("/\\b$fn\\(/", $defs, $fn);
        }
        self::assertInstanceOf(\FFI::class, $ffi);
        // No second copy of the header in the package.
        self::assertSame([], glob(dirname(__DIR__) . '/{,src/,include/}*.h', GLOB_BRACE) ?: []);
    }

    public function testVersion(): void
    {
        $cargo = (string) file_get_contents(__DIR__ . '/../../../Cargo.toml');
        preg_match('/^version = "([^"]+)"/m', $cargo, $m);
        self::assertSame($m[1], Impact::version());
        self::assertNotNull(Library::loadedPath());
    }

    public function testPathOrder(): void
    {
        $lib = Library::loadedPath();
        self::assertNotNull($lib);
        $copy = sys_get_temp_dir() . '/impact-lib-copy-' . getmypid() . '.so';
        copy($lib, $copy);
        try {
            // The constructor option when the environment says nothing.
            $out = self::php("\$c = new ImpactConversions\\Client(['accountSid' => 'IR1', 'authToken' => 't', 'library' => '$copy']); echo ImpactConversions\\Library::loadedPath();", []);
            self::assertSame($copy, $out);
            // The environment wins over the option.
            $out = self::php("\$c = new ImpactConversions\\Client(['accountSid' => 'IR1', 'authToken' => 't', 'library' => '/nonexistent.so']); echo ImpactConversions\\Library::loadedPath();", ['IMPACT_CONVERSIONS_LIB' => $copy]);
            self::assertSame($copy, $out);
            // The static option.
            $out = self::php("ImpactConversions\\Library::setPath('$copy'); echo ImpactConversions\\Impact::version(), ' ', ImpactConversions\\Library::loadedPath();", []);
            self::assertSame(Impact::version() . ' ' . $copy, $out);
            // A second, different path in the same process is refused.
            $out = self::php("ImpactConversions\\Impact::version(); new ImpactConversions\\Client(['accountSid' => 'IR1', 'authToken' => 't', 'library' => '$copy']);", ['IMPACT_CONVERSIONS_LIB' => '']);
            self::assertStringContainsString('already loaded from', $out);
        } finally {
            unlink($copy);
        }
        // Without anything, the repository's target/ is searched.
        $out = self::php('echo ImpactConversions\\Library::loadedPath() ?? "-", " ", ImpactConversions\\Impact::version(), " ", ImpactConversions\\Library::loadedPath();', []);
        self::assertMatchesRegularExpression('#^- \S+ .*/target/(release|debug)/libimpact_conversions\.so$#', $out);
    }

    public function testLoadErrorsAreConfigExceptions(): void
    {
        $out = self::php('ImpactConversions\\Impact::version();', ['IMPACT_CONVERSIONS_LIB' => '/nonexistent/libimpact_conversions.so']);
        self::assertStringStartsWith('ImpactConversions\\ConfigException: IMPACT_CONVERSIONS_LIB is /nonexistent/libimpact_conversions.so, which is not a file', $out);
        $out = self::php('ImpactConversions\\Impact::version();', ['IMPACT_CONVERSIONS_LIB' => self::HEADER]);
        self::assertStringStartsWith('ImpactConversions\\ConfigException: cannot load', $out);
        $out = self::php('ImpactConversions\\Impact::version();', ['IMPACT_CONVERSIONS_HEADER' => '/nonexistent.h']);
        self::assertStringStartsWith('ImpactConversions\\ConfigException: cannot read the C header /nonexistent.h', $out);
    }
}
