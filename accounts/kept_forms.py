"""What someone had typed into a form when they switched language, kept for the page they
return to (the switch posts that form's fields with the new language; see base.html).

One form at a time, in the session, for one path; taken once. Nothing is saved to a case:
the page shows the text again and the person still has to send the form.
"""

from urllib.parse import urlsplit

from django.http import HttpRequest

SESSION_KEY = "kept_form"
# The switch's own fields, and the form's, which are never worth keeping.
SKIPPED = {"csrfmiddlewaretoken", "language", "next", "version"}
MAX_FIELDS = 30
MAX_CHARS = 5000


def keep(request: HttpRequest, *, next_url: str) -> bool:
    """Keep the posted form fields for `next_url`'s path; whether there were any."""
    data = {
        name: [value[:MAX_CHARS] for value in request.POST.getlist(name)]
        for name in list(request.POST)[: MAX_FIELDS + len(SKIPPED)]
        if name not in SKIPPED
    }
    if not data:
        return False
    request.session[SESSION_KEY] = {"path": urlsplit(next_url).path, "data": data}
    return True


def take(request: HttpRequest) -> dict[str, str | list[str]]:
    """The fields kept for this page's path, once, as a form's `initial`; {} if none."""
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("path") != request.path:
        return {}
    del request.session[SESSION_KEY]
    data = kept["data"].items()
    return {name: values[0] if len(values) == 1 else values for name, values in data}
