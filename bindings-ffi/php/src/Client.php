<?php

declare(strict_types=1);

namespace ImpactConversions;

use FFI;
use FFI\CData;
use Psr\Log\LoggerInterface;
use Psr\Log\LogLevel;
use Psr\Log\NullLogger;

/**
 * Submits conversions to impact.com with the core's retries: every 5xx, 408, network fault
 * and timeout is retried with backoff inside a deadline, a 429 waits for the budget's reset,
 * every attempt sends the same bytes, and nothing invalid is ever sent.
 *
 *     $client = new Client(['accountSid' => 'IR...', 'authToken' => $token]);
 *     $receipt = $client->submit(['CampaignId' => 1000, 'EventTypeId' => 9876, ...]);
 *
 * Options: accountSid, authToken, baseUrl (https, or http on loopback for the emulator),
 * maxAttempts (5), baseDelayMs (500), maxDelayMs (8000), deadlineMs (30000),
 * attemptTimeoutMs (10000), rateLimitFallbackMs (60000), logger (a PSR-3 logger for the
 * attempt, retry, success and give-up events), library (path of libimpact_conversions when
 * IMPACT_CONVERSIONS_LIB is not set). snake_case spellings (account_sid, ...) work too.
 *
 * Calls block the PHP process until a definitive answer or the deadline: keep deadlineMs
 * below max_execution_time / request_terminate_timeout (PHP cannot interrupt a native call).
 * The AuthToken is handed to the library and not kept: no dump, log or message shows it.
 */
final class Client
{
    private const OPTIONS = [
        'accountSid' => 'account_sid',
        'authToken' => 'auth_token',
        'baseUrl' => 'base_url',
        'maxAttempts' => 'max_attempts',
        'baseDelayMs' => 'base_delay_ms',
        'maxDelayMs' => 'max_delay_ms',
        'deadlineMs' => 'deadline_ms',
        'attemptTimeoutMs' => 'attempt_timeout_ms',
        'rateLimitFallbackMs' => 'rate_limit_fallback_ms',
        'logger' => null,
        'library' => null,
    ];

    private const LEVELS = [
        'attempt' => LogLevel::DEBUG,
        'retry' => LogLevel::INFO,
        'success' => LogLevel::INFO,
        'give_up' => LogLevel::WARNING,
    ];

    private FFI $ffi;
    private ?CData $ptr = null;
    private LoggerInterface $logger;
    private bool $logs;
    /** @var array<string, mixed> the options without the token, for __debugInfo */
    private array $shown;

    /**
     * @param array<string, mixed> $options see the class comment
     * @throws ConfigException for a missing or unusable option (the message names it)
     */
    public function __construct(#[\SensitiveParameter] array $options = [])
    {
        $config = ['binding' => 'php'];
        $this->shown = [];
        $logger = null;
        $library = null;
        $seen = [];
        foreach ($options as $key => $value) {
            $name = self::optionName((string) $key);
            if (isset($seen[$name])) {
                throw new ConfigException("$name is given twice (as {$seen[$name]} and $key)");
            }
            $seen[$name] = $key;
            if ($name === 'logger') {
                if ($value !== null && !$value instanceof LoggerInterface) {
                    throw new ConfigException('logger must be a Psr\Log\LoggerInterface, not ' . get_debug_type($value));
                }
                $logger = $value;
                continue;
            }
            if ($name === 'library') {
                if ($value !== null && !is_string($value)) {
                    throw new ConfigException('library must be the path of libimpact_conversions, not ' . get_debug_type($value));
                }
                $library = $value;
                continue;
            }
            $wire = self::OPTIONS[$name];
            if (in_array($name, ['accountSid', 'authToken', 'baseUrl'], true)) {
                if ($value === null) {
                    continue;
                }
                if (!is_string($value)) {
                    throw new ConfigException("$name must be a string, not " . get_debug_type($value));
                }
            } elseif (!is_int($value) || $value < 0) {
                throw new ConfigException("$name must be a whole number of " . ($name === 'maxAttempts' ? 'attempts' : 'milliseconds')
                    . ' (0 or more), not ' . (is_int($value) ? (string) $value : get_debug_type($value)));
            }
            $config[$wire] = $value;
            $this->shown[$name] = $name === 'authToken' ? '***' : $value;
        }
        $this->ffi = Library::ffi($library);
        $this->logger = $logger ?? new NullLogger();
        $this->logs = $logger !== null && !$logger instanceof NullLogger;

        $ffi = $this->ffi;
        $client = $ffi->new('struct ImpactClient*');
        $err = $ffi->new('char*');
        $status = $ffi->impact_client_new(json_encode($config, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE), FFI::addr($client), FFI::addr($err));
        unset($config);
        $text = Library::take($ffi, $err);
        if ($status !== 0 || FFI::isNull($client)) {
            throw ImpactException::fromJson($text);
        }
        $this->ptr = $client;
    }

    /**
     * A client from IMPACT_ACCOUNT_SID, IMPACT_AUTH_TOKEN and (optionally) IMPACT_BASE_URL;
     * $options add to or override them (e.g. ['logger' => $logger, 'deadlineMs' => 10000]).
     *
     * @param array<string, mixed> $options
     */
    public static function fromEnv(#[\SensitiveParameter] array $options = []): self
    {
        $given = array_map(static fn ($key) => self::optionName((string) $key), array_keys($options));
        $env = [];
        foreach (['accountSid' => 'IMPACT_ACCOUNT_SID', 'authToken' => 'IMPACT_AUTH_TOKEN', 'baseUrl' => 'IMPACT_BASE_URL'] as $option => $var) {
            if (in_array($option, $given, true)) {
                continue;
            }
            $value = getenv($var);
            if ($value === false || $value === '') {
                $value = $_SERVER[$var] ?? $_ENV[$var] ?? null;
            }
            if (is_string($value) && $value !== '') {
                $env[$option] = $value;
            }
        }
        return new self($options + $env);
    }

    /**
     * Validates and submits one conversion (see Impact for the array's shape).
     *
     * @param array<string, mixed>|object $conversion
     * @throws ImpactException ValidationException (nothing was sent), AuthException, ApiException,
     *         RateLimitedException, TransportException, TimeoutException, UnconfirmedException
     */
    public function submit(array|object $conversion): Receipt
    {
        $json = Json::encode($conversion, $notes);
        return Receipt::fromArray(Json::decode($this->call('impact_submit', $json, null, $notes)));
    }

    /**
     * Submits every conversion, at most $concurrency at a time. One result per input, with
     * the input's keys and in its order: a Receipt, or the ImpactException of that conversion
     * (an invalid one is never sent and keeps its own issues).
     *
     * @param iterable<array-key, array<string, mixed>|object> $conversions
     * @return array<array-key, Receipt|ImpactException>
     */
    public function submitMany(iterable $conversions, int $concurrency = 8): array
    {
        if ($concurrency < 1) {
            throw new ConfigException("concurrency must be at least 1, not $concurrency");
        }
        $keys = [];
        $json = [];
        $notes = [];
        foreach ($conversions as $key => $conversion) {
            $keys[] = $key;
            $json[] = Json::encode($conversion, $n);
            $notes[] = $n;
        }
        if ($keys === []) {
            return [];
        }
        $args = '{"conversions":[' . implode(',', $json) . '],"concurrency":' . $concurrency . '}';
        $list = Json::decode($this->call('impact_submit_many', $args));
        $results = [];
        foreach ($keys as $i => $key) {
            $r = $list[$i] ?? null;
            $results[$key] = match (true) {
                is_array($r) && isset($r['ok']) => Receipt::fromArray($r['ok']),
                is_array($r) && isset($r['error']) => ImpactException::fromArray($r['error'], $notes[$i]),
                default => new InternalException("submit_many returned no result for entry $i"),
            };
        }
        return $results;
    }

    /** The processing status of a submission id or QueuedUri. */
    public function submissionStatus(string $id): SubmissionStatus
    {
        return SubmissionStatus::fromArray(Json::decode($this->call('impact_submission_status', self::text($id, 'id'))));
    }

    /**
     * Polls until the submission is processed (Complete), at most $timeoutSeconds.
     *
     * @throws TimeoutException when it is still queued after $timeoutSeconds
     */
    public function waitForSubmission(string $id, float|int $timeoutSeconds = 60): SubmissionStatus
    {
        if (!is_finite((float) $timeoutSeconds) || $timeoutSeconds < 0) {
            throw new ConfigException('timeoutSeconds must be a finite number of seconds, 0 or more');
        }
        return SubmissionStatus::fromArray(Json::decode($this->call('impact_wait_for_submission', self::text($id, 'id'), (float) $timeoutSeconds)));
    }

    /**
     * PUT /Actions: returns and partial refunds, e.g.
     * ['action_id' => '1000.4321.98765', 'reason' => 'ITEM_RETURNED', 'amount' => '10.00'].
     *
     * @param array<string, mixed>|object $change
     */
    public function modifyAction(array|object $change): Receipt
    {
        $json = Json::encode($change, $notes);
        return Receipt::fromArray(Json::decode($this->call('impact_modify_action', $json, null, $notes)));
    }

    /**
     * DELETE /Actions: reverses an action, e.g. ['action_id' => ..., 'disposition_code' => 'ITEM_RETURNED'].
     *
     * @param array<string, mixed>|object $reversal
     */
    public function reverseAction(array|object $reversal): Receipt
    {
        $json = Json::encode($reversal, $notes);
        return Receipt::fromArray(Json::decode($this->call('impact_reverse_action', $json, null, $notes)));
    }

    /** Frees the native client now (the destructor does it otherwise). Later calls throw ConfigException. */
    public function close(): void
    {
        if ($this->ptr !== null) {
            $this->ffi->impact_client_free($this->ptr);
            $this->ptr = null;
        }
    }

    public function __destruct()
    {
        $this->close();
    }

    /** @return array<string, mixed> never the AuthToken */
    public function __debugInfo(): array
    {
        return $this->shown + ['closed' => $this->ptr === null, 'library' => Library::loadedPath()];
    }

    public function __clone()
    {
        // The copy must not free the original's native client when it is destroyed.
        $this->ptr = null;
        throw new \LogicException('an ImpactConversions\Client cannot be cloned: share the instance (it is one connection pool)');
    }

    /** @return array<string, mixed> */
    public function __serialize(): array
    {
        throw new \LogicException('an ImpactConversions\Client cannot be serialized: build one per process (Client::fromEnv())');
    }

    /** @param array<string, mixed> $data */
    public function __unserialize(array $data): void
    {
        throw new \LogicException('an ImpactConversions\Client cannot be unserialized');
    }

    /**
     * Runs one client function of the library and logs the events it queued.
     *
     * @param list<string>|null $notes
     */
    private function call(string $fn, string $arg, ?float $timeout = null, ?array $notes = null): string
    {
        if ($this->ptr === null) {
            throw new ConfigException('the client is closed');
        }
        $ffi = $this->ffi;
        $out = $ffi->new('char*');
        try {
            $status = $timeout === null
                ? $ffi->$fn($this->ptr, $arg, null, FFI::addr($out))
                : $ffi->$fn($this->ptr, $arg, $timeout, null, FFI::addr($out));
            $text = Library::take($ffi, $out);
        } finally {
            if ($this->logs) {
                $this->logEvents();
            }
        }
        if ($status !== 0) {
            throw ImpactException::fromJson($text, $notes ?? []);
        }
        return $text;
    }

    /** Forwards the events the library queued during the call to the PSR-3 logger. */
    private function logEvents(): void
    {
        $ffi = $this->ffi;
        $out = $ffi->new('char*');
        $status = $ffi->impact_client_events($this->ptr, FFI::addr($out));
        $text = Library::take($ffi, $out);
        if ($status !== 0) {
            return;
        }
        $events = json_decode($text, true);
        foreach (is_array($events) ? $events : [] as $e) {
            if (!is_array($e)) {
                continue;
            }
            $kind = (string) ($e['kind'] ?? 'event');
            $this->logger->log(self::LEVELS[$kind] ?? LogLevel::INFO, self::describe($kind, $e), ['event' => $kind] + $e);
        }
    }

    /** @param array<string, mixed> $e */
    private static function describe(string $kind, array $e): string
    {
        $what = 'impact.com ' . ($e['operation'] ?? 'call') . (isset($e['order_id']) ? ' ' . $e['order_id'] : '');
        return match ($kind) {
            'attempt' => "$what: attempt " . ($e['attempt'] ?? '?'),
            'retry' => "$what: attempt " . ($e['attempt'] ?? '?') . ' failed (' . ($e['reason'] ?? '?') . '), retrying in ' . ($e['delay_ms'] ?? '?') . ' ms',
            'success' => "$what: done after " . ($e['attempts'] ?? '?') . ' attempt(s) (HTTP ' . ($e['status'] ?? '?') . ', ' . ($e['elapsed_ms'] ?? '?') . ' ms)',
            'give_up' => "$what: gave up after " . ($e['attempts'] ?? '?') . ' attempt(s): ' . ($e['code'] ?? '?') . ', ' . ($e['reason'] ?? ''),
            default => "$what: $kind",
        };
    }

    private static function optionName(string $key): string
    {
        if (array_key_exists($key, self::OPTIONS)) {
            return $key;
        }
        $camel = lcfirst(str_replace(' ', '', ucwords(str_replace('_', ' ', $key))));
        if (array_key_exists($camel, self::OPTIONS)) {
            return $camel;
        }
        $best = null;
        $distance = PHP_INT_MAX;
        foreach (array_keys(self::OPTIONS) as $known) {
            $d = levenshtein(strtolower($camel), strtolower($known));
            if ($d < $distance) {
                [$best, $distance] = [$known, $d];
            }
        }
        $hint = $distance <= 4 ? " (did you mean $best?)" : '';
        throw new ConfigException("unknown client option $key$hint; the options are " . implode(', ', array_keys(self::OPTIONS)));
    }

    private static function text(string $s, string $what): string
    {
        if (str_contains($s, "\0")) {
            throw new ValidationException("the $what contains a NUL byte");
        }
        return $s;
    }
}
