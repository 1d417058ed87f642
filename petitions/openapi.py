"""The OpenAPI 3.1 document of the JSON API (petitions/api.py), served at /api/openapi.json.

Written by hand, so that it says exactly what the views promise; tests/test_api_schema.py
checks every endpoint's real responses against it and fuzzes the endpoints from it.
"""

from django.conf import settings

from petitions.models import Delivery, Petition

# ?state=: open and closed, then what came of a closed petition.
STATES = ["open", "closed", *(v for v in Petition.Outcome.values if v != Petition.Outcome.NONE)]


def nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def strict(properties: dict, **extra) -> dict:
    """An object with exactly these properties, all present (null where the schema says)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
        **extra,
    }


TIME = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
URL = {"type": "string", "format": "uri"}
COUNT = {"type": "integer", "minimum": 0}

OUTCOME = strict(
    {
        "value": {"type": "string", "enum": Petition.Outcome.values},
        "label": {"type": "string"},
        "statement_html": {"type": "string", "description": "Sanitised HTML; may be empty."},
        "date": nullable(DATE),
    },
    description="What came of a closed petition; value “none” while there is nothing yet.",
)

PETITION_SUMMARY = {
    "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
    "title": {"type": "string"},
    "summary": {"type": "string", "description": "The summary, or the start of the text."},
    "language": {"type": "string", "description": "The language it is written in (BCP 47)."},
    "url": URL,
    "api_url": URL,
    "state": {
        "type": "string",
        "enum": ["open", "closed"],
        "description": "Open while it accepts signatures.",
    },
    "created_at": TIME,
    "closes_at": nullable(TIME),
    "closed_at": nullable(TIME),
    "goal": nullable({"type": "integer", "minimum": 1}),
    "signature_count": {
        **COUNT,
        "description": "Confirmed online signatures: the counter on the petition's page.",
    },
    "outcome": OUTCOME,
}

DELIVERY = strict(
    {
        "date": DATE,
        "method": {"type": "string", "enum": Delivery.Method.values},
        "signatures": COUNT,
        "paper_signatures": COUNT,
    }
)

RESPONSE = strict(
    {
        "date": DATE,
        "text_html": {"type": "string", "description": "Sanitised HTML; may be empty."},
        "url": nullable(URL),
        "file_url": nullable(URL),
    }
)

RECIPIENT = strict(
    {
        "name": {"type": "string"},
        "role": {"type": "string"},
        "deliveries": {"type": "array", "items": DELIVERY},
        "response": nullable(RESPONSE),
    }
)

UPDATE = strict(
    {
        "number": {"type": "integer", "minimum": 1},
        "title": {"type": "string"},
        "published_at": TIME,
        "url": URL,
        "body_html": {"type": "string", "description": "Sanitised HTML."},
    }
)

COUNTRY = strict(
    {
        "code": {"type": "string", "description": "ISO 3166-1 alpha-2"},
        "name": {"type": "string"},
        "count": {"type": "integer", "minimum": 1},
    }
)

PETITION = strict(
    {
        **PETITION_SUMMARY,
        "starter_name": {"type": "string"},
        "paper_signature_count": {
            **COUNT,
            "description": "Signatures collected on paper, not in signature_count.",
        },
        "recipients": {"type": "array", "items": RECIPIENT},
        "updates": {
            "type": "array",
            "items": UPDATE,
            "description": "Published updates, newest first.",
        },
        "signatures_by_country": {
            "type": "array",
            "items": COUNTRY,
            "description": "Most first; the counts sum to signature_count.",
        },
    }
)

PETITION_LIST = strict(
    {
        "count": COUNT,
        "next": nullable(URL),
        "previous": nullable(URL),
        "results": {"type": "array", "items": strict(PETITION_SUMMARY), "maxItems": 100},
    }
)

COUNTER = strict({"signature_count": COUNT, "read_at": TIME})

HISTORY = strict(
    {
        "interval": {"type": "string", "enum": ["hour", "day"]},
        "points": {
            "type": "array",
            "items": strict({"start": TIME, "count": COUNT}),
        },
    }
)

ERROR = strict({"error": {"type": "string"}})

SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
    "example": "release-dr-wang-bingzhang",  # the seed petition (make run)
}


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def error(description: str) -> dict:
    return {
        "description": description,
        "content": json_content({"$ref": "#/components/schemas/Error"}),
    }


def ok(description: str, schema_name: str) -> dict:
    return {
        "description": description,
        "headers": {
            "ETag": {"schema": {"type": "string"}},
            "Cache-Control": {"schema": {"type": "string"}},
        },
        "content": json_content({"$ref": f"#/components/schemas/{schema_name}"}),
    }


NOT_FOUND = error("No public petition has this slug (or it is a draft).")
BAD_REQUEST = error("A parameter is not one of its allowed values, or is given twice.")


def operation(operation_id: str, summary: str, responses: dict, parameters=()) -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": list(parameters),
            "responses": {**responses, "304": {"description": "Not modified (If-None-Match)."}},
        }
    }


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Petitions: open data",
            "version": "1.0.0",
            "description": (
                "Read-only data of the public petitions: no personal data of anyone who "
                "signed. Numbers are plain JSON numbers, the same in every language. Every "
                "response may be cached for a few seconds (Cache-Control) and revalidated "
                "with its ETag; any origin may read it (CORS)."
            ),
        },
        "servers": [{"url": settings.SITE_URL}],
        "paths": {
            "/api/petitions/": operation(
                "listPetitions",
                "Public petitions, newest first",
                {
                    "200": ok("A page of petitions.", "PetitionList"),
                    "400": BAD_REQUEST,
                    "404": error("The page is past the last one."),
                },
                [
                    {
                        "name": "state",
                        "in": "query",
                        "description": "Open or closed, or a closed petition's outcome.",
                        "schema": {"type": "string", "enum": STATES},
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "description": "Words to find in the title, summary or text, with "
                        "the stemming of each petition's language.",
                        "schema": {"type": "string", "maxLength": 200},
                    },
                    {
                        "name": "page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
                    },
                    {
                        "name": "page_size",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    },
                ],
            ),
            "/api/petitions/{slug}/": operation(
                "getPetition",
                "One public petition",
                {"200": ok("The petition.", "Petition"), "404": NOT_FOUND},
                [SLUG],
            ),
            "/api/petitions/{slug}/count/": operation(
                "getPetitionCount",
                "The petition's counter and when it was read",
                {"200": ok("The counter.", "Counter"), "404": NOT_FOUND},
                [SLUG],
            ),
            "/api/petitions/{slug}/history/": operation(
                "getPetitionHistory",
                "Confirmed signatures per hour or day (UTC)",
                {
                    "200": ok(
                        "From the first interval with a confirmation to the last, zeros "
                        "included; hourly, the last 90 days (to its closing, if closed).",
                        "History",
                    ),
                    "400": BAD_REQUEST,
                    "404": NOT_FOUND,
                },
                [
                    SLUG,
                    {
                        "name": "interval",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["hour", "day"], "default": "day"},
                    },
                ],
            ),
            "/api/openapi.json": operation(
                "getOpenAPI", "This document", {"200": {"description": "OpenAPI 3.1"}}
            ),
        },
        "components": {
            "schemas": {
                "PetitionList": PETITION_LIST,
                "Petition": PETITION,
                "Counter": COUNTER,
                "History": HISTORY,
                "Error": ERROR,
            }
        },
    }
