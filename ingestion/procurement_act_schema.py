"""The schema a Procurement Act notice (one OCDS release) is validated against: the OCDS 1.1 release
fields this warehouse reads, patched with the UK extension's release-schema.json.

The UK extension's release-schema.json (a copy of the published extension, MIT; the tests read the
shared reference data's) is not a schema on
its own: like every OCDS extension it is a JSON Merge Patch onto the OCDS 1.1 release schema and the
extensions it depends on (here the metrics extension's `agreedMetrics` and
`implementation.metrics`). The full core schema cannot be fetched on these machines, so CORE below
restates the part of OCDS 1.1 + metrics that the notices use, field for field, with
`additionalProperties: false`: a fixture carrying a field that is neither in CORE nor added by the
UK patch fails validation. The patch is then applied exactly as OCDS tools apply an extension.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

_S = {"type": ["string", "null"]}
_DT = {"type": ["string", "null"], "format": "date-time"}
_N = {"type": ["number", "null"]}


def _obj(properties: dict, required: tuple[str, ...] = ()) -> dict:
    out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    return out


def _array(ref: str) -> dict:
    return {"type": "array", "items": {"$ref": f"#/definitions/{ref}"}}


CORE: dict = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["ocid", "id", "date", "tag", "initiationType"],
    "additionalProperties": False,
    "properties": {
        "ocid": {"type": "string", "minLength": 1},
        "id": {"type": "string", "minLength": 1},
        "date": {"type": "string", "format": "date-time"},
        "tag": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "string",
                "enum": [
                    "planning",
                    "planningUpdate",
                    "tender",
                    "tenderAmendment",
                    "tenderUpdate",
                    "tenderCancellation",
                    "award",
                    "awardUpdate",
                    "awardCancellation",
                    "contract",
                    "contractUpdate",
                    "contractAmendment",
                    "implementation",
                    "implementationUpdate",
                    "contractTermination",
                    "compiled",
                ],
            },
        },
        "initiationType": {"type": "string", "enum": ["tender"]},
        "language": _S,
        "buyer": {"$ref": "#/definitions/OrganizationReference"},
        "parties": _array("Organization"),
        "tender": {"$ref": "#/definitions/Tender"},
        "awards": _array("Award"),
        "contracts": _array("Contract"),
    },
    "definitions": {
        "OrganizationReference": _obj({"id": {"type": ["string", "integer"]}, "name": _S}),
        "Identifier": _obj({"scheme": _S, "id": {"type": ["string", "integer", "null"]}, "legalName": _S, "uri": _S}),
        "Organization": _obj(
            {
                "id": {"type": "string"},
                "name": _S,
                "identifier": {"$ref": "#/definitions/Identifier"},
                "roles": {"type": ["array", "null"], "items": {"type": "string"}},
                "details": {"type": ["object", "null"], "properties": {}, "additionalProperties": False},
            }
        ),
        "Classification": _obj(
            {"scheme": _S, "id": {"type": ["string", "integer", "null"]}, "description": _S, "uri": _S}
        ),
        "Period": _obj(
            {"startDate": _DT, "endDate": _DT, "maxExtentDate": _DT, "durationInDays": {"type": ["integer", "null"]}}
        ),
        "Value": _obj({"amount": _N, "currency": _S}),
        "Document": _obj(
            {
                "id": {"type": ["string", "integer"]},
                "documentType": _S,
                "title": _S,
                "description": _S,
                "url": _S,
                "datePublished": _DT,
                "format": _S,
                "language": _S,
            },
            ("id",),
        ),
        "Tender": _obj(
            {
                "id": {"type": ["string", "integer"]},
                "title": _S,
                "description": _S,
                "status": {
                    "type": ["string", "null"],
                    "enum": [
                        "planning",
                        "planned",
                        "active",
                        "cancelled",
                        "unsuccessful",
                        "complete",
                        "withdrawn",
                        None,
                    ],
                },
                "value": {"$ref": "#/definitions/Value"},
                "documents": _array("Document"),
            },
            ("id",),
        ),
        "Award": _obj(
            {
                "id": {"type": ["string", "integer"]},
                "title": _S,
                "description": _S,
                "status": {
                    "type": ["string", "null"],
                    "enum": ["pending", "active", "cancelled", "unsuccessful", None],
                },
                "date": _DT,
                "value": {"$ref": "#/definitions/Value"},
                "suppliers": _array("OrganizationReference"),
                "contractPeriod": {"$ref": "#/definitions/Period"},
                "documents": _array("Document"),
            },
            ("id",),
        ),
        "Amendment": _obj(
            {
                "id": {"type": ["string", "integer"]},
                "date": _DT,
                "rationale": _S,
                "description": _S,
                "amendsReleaseID": _S,
                "releaseID": _S,
            }
        ),
        # the metrics extension: a KPI (agreed in the contract, or observed in implementation)
        "Metric": _obj(
            {
                "id": {"type": "string"},
                "title": _S,
                "description": _S,
                "observations": _array("Observation"),
            },
            ("id",),
        ),
        "Observation": _obj(
            {
                "id": {"type": "string"},
                "period": {"$ref": "#/definitions/Period"},
                "value": {"$ref": "#/definitions/Value"},
                "measure": {"type": ["string", "number", "null"]},
                "unit": _obj({"name": _S, "scheme": _S, "id": _S, "uri": _S}),
                "notes": _S,
            },
            ("id",),
        ),
        "Implementation": _obj(
            {
                "documents": _array("Document"),
                "metrics": _array("Metric"),
            }
        ),
        "Contract": _obj(
            {
                "id": {"type": ["string", "integer"]},
                "awardID": {"type": ["string", "integer"]},
                "title": _S,
                "description": _S,
                "status": {"type": ["string", "null"], "enum": ["pending", "active", "cancelled", "terminated", None]},
                "period": {"$ref": "#/definitions/Period"},
                "value": {"$ref": "#/definitions/Value"},
                "dateSigned": _DT,
                "documents": _array("Document"),
                "amendments": _array("Amendment"),
                "implementation": {"$ref": "#/definitions/Implementation"},
                "agreedMetrics": _array("Metric"),
            },
            ("id", "awardID"),
        ),
    },
}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: how an OCDS extension's schema is applied to the core schema."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def release_schema(extension_dir: Path) -> dict:
    """CORE with the UK extension applied: the schema each notice must satisfy. `extension_dir` is a
    copy of the published UK extension (its release-schema.json)."""
    patch = json.loads((extension_dir / "release-schema.json").read_text(encoding="utf-8"))
    return merge_patch(CORE, patch)


def validation_errors(release: dict, schema: dict) -> list[str]:
    """What is wrong with one release, each as 'path: message' (empty when it is valid)."""
    from jsonschema import Draft4Validator

    validator = Draft4Validator(schema)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(release)'}: {error.message}"
        for error in sorted(validator.iter_errors(release), key=lambda e: list(e.absolute_path))
    ]
