from django.template.response import TemplateResponse


def dashboard(request):
    return TemplateResponse(request, "connections/dashboard.html", {})
