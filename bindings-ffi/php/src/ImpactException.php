<?php

declare(strict_types=1);

namespace ImpactConversions;

/**
 * Every failure of this package, with the core's stable code (the same in every language):
 * one subclass per code. getCode() is the C ABI status number (1..9), errorCode() the text.
 *
 * | class                 | errorCode()    | retry later?                |
 * |-----------------------|----------------|-----------------------------|
 * | ValidationException   | validation     | no: fix the input (issues)  |
 * | ConfigException       | config         | no                          |
 * | AuthException         | auth           | no (status 401/403)         |
 * | ApiException          | api            | no (apiErrors)              |
 * | RateLimitedException  | rate_limited   | yes, after resetAt()        |
 * | TransportException    | transport      | yes, same OrderId           |
 * | TimeoutException      | timeout        | yes, same OrderId           |
 * | UnconfirmedException  | unconfirmed    | resubmit the same OrderId   |
 * | InternalException     | internal       | no (a bug: report it)       |
 */
class ImpactException extends \RuntimeException
{
    /** The stable codes and their status numbers in the C header's table. */
    public const CODES = [
        'validation' => 1, 'config' => 2, 'auth' => 3, 'api' => 4, 'rate_limited' => 5,
        'transport' => 6, 'timeout' => 7, 'unconfirmed' => 8, 'internal' => 9,
    ];

    private const CLASSES = [
        'validation' => ValidationException::class, 'config' => ConfigException::class,
        'auth' => AuthException::class, 'api' => ApiException::class,
        'rate_limited' => RateLimitedException::class, 'transport' => TransportException::class,
        'timeout' => TimeoutException::class, 'unconfirmed' => UnconfirmedException::class,
        'internal' => InternalException::class,
    ];

    /** Overridden by each subclass. */
    protected const CODE = 'internal';

    private string $errorCode;

    /**
     * @param list<Issue> $issues
     * @param list<ApiFieldError> $apiErrors
     */
    public function __construct(
        string $message,
        private readonly array $issues = [],
        private readonly ?int $status = null,
        private readonly ?int $attempts = null,
        private readonly ?int $resetAt = null,
        private readonly array $apiErrors = [],
        ?\Throwable $previous = null,
    ) {
        $this->errorCode = static::CODE;
        parent::__construct($message, self::CODES[static::CODE] ?? 0, $previous);
    }

    /** The stable code: validation, config, auth, api, rate_limited, transport, timeout, unconfirmed, internal. */
    public function errorCode(): string
    {
        return $this->errorCode;
    }

    /** @return list<Issue> every validation problem (code validation) */
    public function issues(): array
    {
        return $this->issues;
    }

    /** HTTP status of the last response, when there was one. */
    public function status(): ?int
    {
        return $this->status;
    }

    /** Requests sent before giving up. */
    public function attempts(): ?int
    {
        return $this->attempts;
    }

    /** When the hourly rate-limit budget resets (code rate_limited), in UTC. */
    public function resetAt(): ?\DateTimeImmutable
    {
        return $this->resetAt === null ? null : new \DateTimeImmutable('@' . $this->resetAt);
    }

    /** resetAt() as unix seconds. */
    public function resetAtTimestamp(): ?int
    {
        return $this->resetAt;
    }

    /** @return list<ApiFieldError> field errors from impact.com's 400 answer (code api) */
    public function apiErrors(): array
    {
        return $this->apiErrors;
    }

    /** Whether sending the same request again later can succeed (rate_limited, transport, timeout). */
    public function isRetryable(): bool
    {
        return in_array($this->errorCode, ['rate_limited', 'transport', 'timeout'], true);
    }

    /**
     * The error as the C ABI's JSON shape.
     *
     * @return array{code: string, message: string, issues: list<array<string, string>>, status: ?int, attempts: ?int, reset_at: ?int, api_errors: list<array{field: ?string, message: string}>}
     */
    public function toArray(): array
    {
        return [
            'code' => $this->errorCode,
            'message' => $this->getMessage(),
            'issues' => array_map(static fn (Issue $i) => $i->toArray(), $this->issues),
            'status' => $this->status,
            'attempts' => $this->attempts,
            'reset_at' => $this->resetAt,
            'api_errors' => array_map(static fn (ApiFieldError $e) => ['field' => $e->field, 'message' => $e->message], $this->apiErrors),
        ];
    }

    /**
     * The exception for an error JSON of the library.
     *
     * @param list<array{string, string}> $notes unsupported PHP values that were sent (see Json::encode)
     *
     * @internal
     */
    public static function fromJson(string $text, array $notes = []): self
    {
        $e = json_decode($text, true);
        if (!is_array($e) || !is_string($e['code'] ?? null)) {
            return new InternalException('unreadable error from the library: ' . $text);
        }
        return self::fromArray($e, $notes);
    }

    /**
     * @param array<string, mixed> $e
     * @param list<array{string, string}> $notes
     *
     * @internal
     */
    public static function fromArray(array $e, array $notes = []): self
    {
        $issues = Issue::list($e['issues'] ?? [], $notes);
        $message = (string) ($e['message'] ?? '');
        foreach ($issues as $i) {
            if ($notes !== [] && $i->code === 'invalid_type' && Json::hint($notes, $i->path) !== '') {
                $message .= Json::hint($notes);
                break;
            }
        }
        $apiErrors = [];
        foreach ($e['api_errors'] ?? [] as $a) {
            $apiErrors[] = new ApiFieldError(isset($a['field']) ? (string) $a['field'] : null, (string) ($a['message'] ?? ''));
        }
        $int = static fn (string $k): ?int => isset($e[$k]) && is_numeric($e[$k]) ? (int) $e[$k] : null;
        $class = self::CLASSES[$e['code']] ?? null;
        if ($class === null) {
            // A code newer than this package: keep it.
            $x = new self($message, $issues, $int('status'), $int('attempts'), $int('reset_at'), $apiErrors);
            $x->errorCode = (string) $e['code'];
            return $x;
        }
        return new $class($message, $issues, $int('status'), $int('attempts'), $int('reset_at'), $apiErrors);
    }
}
