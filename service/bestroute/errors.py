"""BestRoute's one error hierarchy.

Every error a client can see is a ``BestRouteError`` with an HTTP status and a problem type; one
handler in ``api.problems`` turns it into ``application/problem+json``. Provider failures are
translated once, in ``execute``, into ``ProviderError`` subclasses; fallback logic branches only on
those classes.

    BestRouteError                       500 internal (never raised for client input)
    ├── MalformedBody                    400 malformed-body
    ├── Unauthorized                     401 unauthorized
    ├── BudgetExhausted                  402 budget-exhausted
    ├── Forbidden                        403 forbidden
    ├── NotFound                         404 not-found
    ├── BodyTooLarge                     413 body-too-large
    ├── InvalidField                     422 invalid-field        (errors: [{field, message}])
    ├── NoEligibleModel                  422 no-eligible-model    (excluded: [{model, reason}])
    ├── RateLimited                      429 rate-limited         (Retry-After)
    ├── AllAttemptsFailed                502 all-attempts-failed  (attempts)
    ├── ProviderNotConfigured            503 provider-not-configured
    ├── Unavailable                      503 unavailable          (readiness: database or Redis down)
    ├── DeadlineExceeded                 504 deadline-exceeded    (attempts)
    ├── ConfigError                      -   bad config file (startup/CLI only; names key and line)
    ├── ClientClosed                     499 client-closed        (usage record of an abandoned stream; never sent)
    └── ProviderError                    502 provider-error       (one failed attempt, internal)
        ├── ProviderTimeout                  retry next candidate
        ├── ProviderRateLimited              retry next candidate
        ├── ProviderUnavailable              5xx / connection refused: retry next candidate
        ├── ProviderBadResponse              malformed answer: retry next candidate
        ├── ContextWindowExceeded            retry a candidate with a larger context
        ├── ProviderAuthError                bad credentials: skip the whole provider
        └── ProviderBadRequest               the provider rejected the request: retry next candidate
"""

from __future__ import annotations

from typing import Any


class BestRouteError(Exception):
    status = 500
    slug = "internal"
    title = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        self.headers: dict[str, str] = {}

    @property
    def type_uri(self) -> str:
        return f"/problems/{self.slug}"

    def problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        body.update(self.extra)
        return body


class MalformedBody(BestRouteError):
    status, slug, title = 400, "malformed-body", "Malformed request body"


class Unauthorized(BestRouteError):
    status, slug, title = 401, "unauthorized", "Unauthorized"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers["WWW-Authenticate"] = 'Bearer realm="bestroute"'


class BudgetExhausted(BestRouteError):
    status, slug, title = 402, "budget-exhausted", "Budget exhausted"


class Forbidden(BestRouteError):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(BestRouteError):
    status, slug, title = 404, "not-found", "Not found"


class BodyTooLarge(BestRouteError):
    status, slug, title = 413, "body-too-large", "Request body too large"


class InvalidField(BestRouteError):
    status, slug, title = 422, "invalid-field", "Invalid field"

    def __init__(self, errors: list[dict[str, str]], detail: str | None = None) -> None:
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        super().__init__(detail or f"{first['field']}: {first['message']}", errors=errors)
        self.errors = errors

    @classmethod
    def one(cls, field: str, message: str) -> InvalidField:
        return cls([{"field": field, "message": message}])


class NoEligibleModel(BestRouteError):
    status, slug, title = 422, "no-eligible-model", "No eligible model"


class RateLimited(BestRouteError):
    status, slug, title = 429, "rate-limited", "Rate limit reached"

    def __init__(self, detail: str, retry_after_s: int, **extra: Any) -> None:
        super().__init__(detail, retry_after_s=retry_after_s, **extra)
        self.headers["Retry-After"] = str(retry_after_s)


class AllAttemptsFailed(BestRouteError):
    status, slug, title = 502, "all-attempts-failed", "Every attempt failed"


class ProviderNotConfigured(BestRouteError):
    status, slug, title = 503, "provider-not-configured", "No provider credentials"


class Unavailable(BestRouteError):
    status, slug, title = 503, "unavailable", "Service unavailable"


class ModelsCoolingDown(BestRouteError):
    """Every model the request allows is resting after repeated provider failures: nothing is wrong
    with the request, so retry it after ``retry_after_s``."""

    status, slug, title = 503, "models-cooling-down", "Eligible models are cooling down"

    def __init__(self, detail: str, retry_after_s: int, **extra: Any) -> None:
        super().__init__(detail, retry_after_s=retry_after_s, **extra)
        self.headers["Retry-After"] = str(retry_after_s)


class DeadlineExceeded(BestRouteError):
    status, slug, title = 504, "deadline-exceeded", "Deadline exceeded"


class ClientClosed(BestRouteError):
    """Not raised to anyone: what the usage log records when a client leaves a stream mid-way."""

    status, slug, title = 499, "client-closed", "Client closed the stream"


class ConfigError(BestRouteError):
    status, slug, title = 500, "config", "Invalid configuration"


class ProviderError(BestRouteError):
    """One failed call to one model; ``error_type`` is what the receipt shows."""

    status, slug, title = 502, "provider-error", "Provider error"
    error_type = "provider_error"
    #: try the next candidate after this error
    retryable = True
    #: skip every model of the same provider after this error
    skip_provider = False


class ProviderTimeout(ProviderError):
    error_type = "timeout"


class ProviderRateLimited(ProviderError):
    error_type = "rate_limited"


class ProviderUnavailable(ProviderError):
    error_type = "server_error"


class ProviderBadResponse(ProviderError):
    error_type = "bad_response"


class ContextWindowExceeded(ProviderError):
    error_type = "context_window"


class ProviderAuthError(ProviderError):
    error_type = "auth"
    skip_provider = True


class ProviderBadRequest(ProviderError):
    error_type = "bad_request"
