<?php

declare(strict_types=1);

namespace ImpactConversions\Tests\Support;

use Psr\Log\AbstractLogger;

/** A PSR-3 logger that keeps every record. */
final class MemoryLogger extends AbstractLogger
{
    /** @var list<array{level: string, message: string, context: array<string, mixed>}> */
    public array $records = [];

    public function log($level, $message, array $context = []): void
    {
        $this->records[] = ['level' => (string) $level, 'message' => (string) $message, 'context' => $context];
    }

    /** @return list<string> the "event" of each record, in order */
    public function events(): array
    {
        return array_map(static fn (array $r) => (string) ($r['context']['event'] ?? ''), $this->records);
    }

    /** Everything logged, as one text (to look for secrets). */
    public function text(): string
    {
        return json_encode($this->records, JSON_UNESCAPED_SLASHES) ?: '';
    }
}
