<?php

declare(strict_types=1);

namespace ImpactConversions;

/** The input breaks a rule; nothing was sent. issues() lists every problem. */
final class ValidationException extends ImpactException
{
    protected const CODE = 'validation';
}
