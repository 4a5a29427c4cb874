<?php

declare(strict_types=1);

namespace ImpactConversions;

/**
 * impact.com's answer to an accepted request: queued, processed later. Follow it with
 * Client::waitForSubmission($receipt->queuedUri).
 */
final class Receipt
{
    /** @param list<Issue> $warnings */
    public function __construct(
        /** "QUEUED" */
        public readonly string $status,
        /** /Advertisers/<sid>/APISubmissions/<id> */
        public readonly string $queuedUri,
        /** The last segment of queuedUri. */
        public readonly string $submissionId,
        /** Requests sent, the successful one included. */
        public readonly int $attempts,
        public readonly int $elapsedMs,
        /** Validation warnings of the conversion (sent anyway). */
        public readonly array $warnings,
    ) {
    }

    /** @internal */
    public static function fromArray(array $r): self
    {
        return new self(
            (string) ($r['status'] ?? ''),
            (string) ($r['queued_uri'] ?? ''),
            (string) ($r['submission_id'] ?? ''),
            (int) ($r['attempts'] ?? 0),
            (int) ($r['elapsed_ms'] ?? 0),
            Issue::list($r['warnings'] ?? []),
        );
    }
}
