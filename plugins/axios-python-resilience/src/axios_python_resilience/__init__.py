"""Resilience plugins for axios_python whose limits hold across a fleet of processes.

```python
from axios_python_resilience import CircuitBreakerPlugin, RateLimitPlugin

api.plugin(RateLimitPlugin("20/second", storage="redis://127.0.0.1:6379/0"))
api.plugin(CircuitBreakerPlugin(failure_threshold=5, recovery_timeout=30,
                                storage="redis://127.0.0.1:6379/0"))
```

`RateLimitPlugin` (entry point `rate-limit`) keeps requests per origin under a rate, built on
the `limits` library; `CircuitBreakerPlugin` (entry point `circuit-breaker`) stops calling an
origin that keeps failing; `RetryBudgetPlugin` (entry point `retry-budget`) caps retries at a
fraction of the calls. All share their state through a `limits` storage URL.
"""

from __future__ import annotations

from ._breaker import DEFAULT_FAILURE_STATUSES, CircuitBreakerPlugin
from ._budget import RetryBudgetPlugin
from ._errors import CircuitOpenError, RateLimitError, RetryBudgetError
from ._headers import pause_seconds
from ._ratelimit import RateLimitPlugin
from ._version import __version__

__all__ = [
    "DEFAULT_FAILURE_STATUSES",
    "CircuitBreakerPlugin",
    "CircuitOpenError",
    "RateLimitError",
    "RateLimitPlugin",
    "RetryBudgetError",
    "RetryBudgetPlugin",
    "__version__",
    "pause_seconds",
]
