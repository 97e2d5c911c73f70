"""The API's documentation page: the OpenAPI schema, read as a page (server-rendered,
no script from elsewhere), so it always says what the code does."""

from functools import lru_cache

from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


# The operation groups (the schema's tags), as the page names them.
GROUP_NAMES = {"Read": _("Read"), "Write": _("Write"), "Moderate": _("Moderate")}


@lru_cache(maxsize=8)
def _schema(language: str) -> dict:
    # Made from the code, which does not change while the process runs: once per
    # language, since its summaries are translated.
    with translation.override(language):
        return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict) -> list[dict]:
    groups: dict[str, list] = {}
    for path, item in schema["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            groups.setdefault((operation.get("tags") or ["Other"])[0], []).append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "where": parameter["in"],
                            "required": parameter.get("required", False),
                            "description": parameter.get("description", ""),
                            "enum": parameter.get("schema", {}).get("enum"),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "body": body["schema"]["$ref"].rsplit("/", 1)[-1] if body else "",
                    "responses": sorted(operation.get("responses", {})),
                }
            )
    order = ["Read", "Write", "Moderate"]
    return [
        {"name": GROUP_NAMES.get(name, name), "operations": groups[name]}
        for name in sorted(groups, key=lambda name: order.index(name) if name in order else 9)
    ]


def _components(schema: dict) -> list[dict]:
    components = []
    for name, component in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(component.get("required", []))
        fields = [
            {
                "name": field,
                "type": spec.get("type") or spec.get("$ref", "").rsplit("/", 1)[-1] or "object",
                "required": field in required,
                "read_only": spec.get("readOnly", False),
                "description": spec.get("description", ""),
            }
            for field, spec in component.get("properties", {}).items()
        ]
        components.append({"name": name, "fields": fields})
    return components


@require_GET
def api_docs(request):
    schema = _schema(translation.get_language())
    context = {
        "info": schema["info"],
        "groups": _operations(schema),
        "components": _components(schema),
    }
    return render(request, "community/api_docs.html", context)
