<?php

declare(strict_types=1);

namespace ImpactConversions;

/** A bug in the library (a caught panic, an unreadable result): please report it. */
final class InternalException extends ImpactException
{
    protected const CODE = 'internal';
}
