<?php

declare(strict_types=1);

namespace ImpactConversions\Tests;

use ImpactConversions\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/** The README's checkout example is examples/checkout.php, and it runs against the emulator. */
final class ExampleTest extends TestCase
{
    private const EXAMPLE = __DIR__ . '/../examples/checkout.php';

    public function testReadmeShowsTheExampleVerbatim(): void
    {
        $readme = (string) file_get_contents(__DIR__ . '/../../../README.md');
        self::assertStringContainsString("```php\n" . file_get_contents(self::EXAMPLE) . "```\n", $readme);
    }

    public function testExampleRunsAgainstTheEmulator(): void
    {
        Sandbox::reset();
        $env = ['IMPACT_BASE_URL' => Sandbox::url(), 'IMPACT_ACCOUNT_SID' => Sandbox::SID, 'IMPACT_AUTH_TOKEN' => Sandbox::TOKEN] + getenv();
        // The default ffi.enable (preload) is enough in the CLI.
        $p = proc_open([PHP_BINARY, '-d', 'ffi.enable=preload', self::EXAMPLE], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        self::assertSame(0, proc_close($p), $out);
        self::assertMatchesRegularExpression('/^landing: Set-Cookie: impact_irclickid=1\.\d{13}\.QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0; Max-Age=2592000; Domain=example\.com; Path=\/; Secure; HttpOnly; SameSite=Lax\n'
            . 'queued: \/Advertisers\/IRSANDBOX00000000000000000000001\/APISubmissions\/\S+ after 1 attempt\(s\)\n'
            . 'processed: Complete\n$/', $out);
        $orders = Sandbox::orders();
        self::assertCount(1, $orders);
        $body = Sandbox::requests()[0]['body'];
        self::assertStringContainsString('ClickId=QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0', $body);
        self::assertStringContainsString('CustomerEmail=' . hash('sha256', 'jane.doe@example.com'), $body);
    }
}
