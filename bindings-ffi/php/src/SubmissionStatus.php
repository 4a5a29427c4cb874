<?php

declare(strict_types=1);

namespace ImpactConversions;

/** The processing state of a submission (GET APISubmissions/{id}). */
final class SubmissionStatus
{
    /** @param array<string, mixed> $raw */
    public function __construct(
        public readonly string $submissionId,
        /** "Queued", "In Progress" or "Complete". */
        public readonly string $status,
        /** Processing finished (successfully or not). */
        public readonly bool $complete,
        /** Set when a queued conversion failed later, e.g. "Contract Error". */
        public readonly ?string $errorType,
        /** e.g. "CONV_DUPLICATE". */
        public readonly ?string $errorReason,
        /** impact.com's whole answer, for fields this package does not model. */
        public readonly array $raw,
    ) {
    }

    /** Finished, but impact.com did not record the conversion. */
    public function failed(): bool
    {
        return $this->errorType !== null || $this->errorReason !== null;
    }

    /** @internal */
    public static function fromArray(array $s): self
    {
        return new self(
            (string) ($s['submission_id'] ?? ''),
            (string) ($s['status'] ?? ''),
            (bool) ($s['complete'] ?? false),
            isset($s['error_type']) ? (string) $s['error_type'] : null,
            isset($s['error_reason']) ? (string) $s['error_reason'] : null,
            is_array($s['raw'] ?? null) ? $s['raw'] : [],
        );
    }
}
