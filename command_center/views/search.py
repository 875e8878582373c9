"""The header's search box: straight to the one record a search names, else its matches by kind."""

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from command_center import search


@require_safe
def search_everything(request):
    text = " ".join(request.GET.get("q", "").split())
    if len(text) > search.MAX_LENGTH:
        context = {
            "q": text[: search.MAX_LENGTH],
            "error": f"A search is at most {search.MAX_LENGTH} characters: paste only the id, name or e-mail.",
        }
        return TemplateResponse(request, "search/results.html", context, status=400)
    if "\x00" in text:
        return TemplateResponse(
            request,
            "search/results.html",
            {"q": "", "error": "The search holds a character that cannot be searched for."},
            status=400,
        )
    kinds = search.find(text)
    only = search.only_match(kinds)
    if only is not None:
        return redirect(only.url)
    return TemplateResponse(
        request, "search/results.html", {"q": text, "kinds": kinds, "min_length": search.MIN_NAME_LENGTH}
    )
