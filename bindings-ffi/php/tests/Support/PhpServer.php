<?php

declare(strict_types=1);

namespace ImpactConversions\Tests\Support;

use PHPUnit\Framework\Assert;

/** `php -S` (the cli-server SAPI: not the CLI, so ffi.enable=preload applies as under FPM). */
final class PhpServer
{
    /** @var resource */
    private $process;
    public readonly int $port;
    private string $log;

    /** @param list<string> $ini -d settings */
    public function __construct(string $router, array $ini, ?string $user = null)
    {
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $this->port = (int) substr((string) strrchr((string) stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        $this->log = (string) tempnam(sys_get_temp_dir(), 'php-server-');
        $cmd = array_merge($user !== null ? ['setpriv', "--reuid=$user", "--regid=$user", '--clear-groups'] : [], [PHP_BINARY, '-n']);
        foreach (self::extensions() as $ext) {
            $cmd[] = '-d';
            $cmd[] = "extension=$ext";
        }
        if (self::hasOpcache()) {
            $cmd[] = '-d';
            $cmd[] = 'zend_extension=opcache';
        }
        foreach ($ini as $setting) {
            $cmd[] = '-d';
            $cmd[] = $setting;
        }
        array_push($cmd, '-S', '127.0.0.1:' . $this->port, $router);
        $this->process = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $this->log, 'a'], 2 => ['file', $this->log, 'a']], $pipes);
        for ($i = 0; $i < 100; $i++) {
            $c = @stream_socket_client('tcp://127.0.0.1:' . $this->port, $errno, $errstr, 0.1);
            if ($c !== false) {
                fclose($c);
                return;
            }
            usleep(50_000);
        }
        Assert::fail('php -S did not start: ' . $this->log());
    }

    public static function hasOpcache(): bool
    {
        return is_file(ini_get('extension_dir') . '/opcache.so');
    }

    /** The shared extensions this PHP loads (the server runs with -n: no php.ini but these). */
    private static function extensions(): array
    {
        $out = [];
        foreach (['ffi', 'psr', 'curl'] as $name) {
            if (extension_loaded($name) && is_file(ini_get('extension_dir') . "/$name.so")) {
                $out[] = $name;
            }
        }
        return $out;
    }

    public function log(): string
    {
        return (string) @file_get_contents($this->log);
    }

    /**
     * GET a path; every raw header line, in order, and the body.
     *
     * @param list<string> $headers
     * @return array{status: int, headers: list<string>, body: string}
     */
    public function get(string $path, array $headers = []): array
    {
        $lines = [];
        $ch = curl_init('http://127.0.0.1:' . $this->port . $path);
        curl_setopt_array($ch, [
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$lines): int {
                $lines[] = rtrim($line, "\r\n");
                return strlen($line);
            },
        ]);
        $body = (string) curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return ['status' => $status, 'headers' => $lines, 'body' => $body];
    }

    /** @param array{headers: list<string>} $response @return list<string> */
    public static function setCookies(array $response): array
    {
        $out = [];
        foreach ($response['headers'] as $line) {
            if (stripos($line, 'Set-Cookie: ') === 0) {
                $out[] = substr($line, strlen('Set-Cookie: '));
            }
        }
        return $out;
    }

    public function __destruct()
    {
        proc_terminate($this->process);
        proc_close($this->process);
        @unlink($this->log);
    }
}
