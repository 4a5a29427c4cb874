<?php

declare(strict_types=1);

namespace ImpactConversions;

/** Retries exhausted on 5xx or network faults (attempts(), status()): retry later with the same OrderId. */
final class TransportException extends ImpactException
{
    protected const CODE = 'transport';
}
