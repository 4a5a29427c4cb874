<?php

declare(strict_types=1);

namespace ImpactConversions;

/** Unusable configuration: missing credentials, a plain-http base URL, a bad option, no library. */
final class ConfigException extends ImpactException
{
    protected const CODE = 'config';
}
