#!/usr/bin/env python3
"""Checks recorded HTTP answers of the vidflow API against share/openapi.yaml.

    check-response-schemas.py OPENAPI.yaml RECORDING.jsonl [--require-success-bodies]

Each line of RECORDING is one answer: {"method", "path" (with its query), "status", "content_type", "body"}.
For each, the operation is found by its path template and method, and the answer must be documented:
its status among the operation's responses, its media type among that response's content, and a JSON
body valid against the response's schema (JSON Schema 2020-12, as OpenAPI 3.1 says, with formats such as
date-time checked). The check is stricter than the document on one point: an object schema that lists
its `properties` and says nothing of others is closed, so a field the code writes and the document does
not name is an error (schemas with no `properties`, such as free-form inputs, stay open).

With --require-success-bodies, every documented 2xx answer with a JSON body must have been seen at least
once. Exit status 0 when every answer conforms; 1 with one line per failure otherwise.
"""
import copy
import json
import re
import sys

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

METHODS = ("get", "put", "post", "delete", "head", "patch", "options")


def close_objects(node):
    """Marks every schema with `properties` and no `additionalProperties` as closed."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict) and "additionalProperties" not in node \
                and "unevaluatedProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            close_objects(value)
    elif isinstance(node, list):
        for value in node:
            close_objects(value)


def template_pattern(template):
    """`/v1/files/download/{path}` → a regex; a parameter spans one segment, the last one may span several."""
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = ""
    for index, part in enumerate(parts):
        if part.startswith("{"):
            pattern += ".+" if index == len(parts) - 2 and parts[-1] == "" else "[^/]+"
        else:
            pattern += re.escape(part)
    return re.compile("^" + pattern + "$")


def find_operation(document, path):
    """The (template, path item) of `path`: a template without parameters first, then the most literal one."""
    candidates = []
    for template, item in document["paths"].items():
        if template_pattern(template).match(path):
            candidates.append((template.count("{"), -len(template), template, item))
    if not candidates:
        return None, None
    candidates.sort()
    return candidates[0][2], candidates[0][3]


def pointer(*parts):
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def check(document, record):
    """The failures of one recorded answer (empty when it conforms)."""
    method = record["method"].lower()
    path = record["path"].split("?", 1)[0]
    status = str(record["status"])
    where = f'{record["method"]} {record["path"]} {status}'
    template, item = find_operation(document, path)
    if item is None:
        return [], None   # not an operation of the document (a test asking for an unknown route)
    operation = item.get(method)
    if operation is None:
        return [f"{where}: {template} documents no {method.upper()}"], None
    responses = operation.get("responses", {})
    key = status if status in responses else (status[0] + "XX" if status[0] + "XX" in responses else "default")
    if key not in responses:
        return [f"{where}: status {status} is not documented for {method.upper()} {template}"], None
    response = responses[key]
    response_pointer = ["paths", template, method, "responses", key]
    while "$ref" in response:
        ref = response["$ref"]
        response_pointer = ref[2:].split("/")
        response = document
        for part in response_pointer:
            response = response[part.replace("~1", "/").replace("~0", "~")]
    body = record.get("body") or ""
    content = response.get("content")
    label = (method.upper(), template, status)
    media = (record.get("content_type") or "").split(";")[0].strip().lower()
    if not content:
        # Downloads document no media type (it is the file's); a JSON body must be documented.
        if body and media == "application/json" and method != "head":
            return [f"{where}: a JSON body where the document declares none"], label
        return [], label
    if media not in content:
        return [f"{where}: content type '{media}' is not one of {sorted(content)}"], label
    schema = content[media].get("schema")
    if media != "application/json" or schema is None:
        return [], label
    try:
        instance = json.loads(body)
    except ValueError as error:
        return [f"{where}: the body is not JSON ({error})"], label
    root = dict(document)
    root["$ref"] = pointer(*response_pointer, "content", media, "schema")
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = list(validator.iter_errors(instance))
    if errors:
        error = best_match(errors)
        at = "/".join(str(p) for p in error.absolute_path) or "(root)"
        return [f"{where}: at {at}: {error.message[:300]}"], label
    return [], label


def documented_success_bodies(document):
    """Every (METHOD, template, status) whose 2xx answer has an application/json body."""
    expected = set()
    for template, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if not operation:
                continue
            for status, response in operation.get("responses", {}).items():
                if status.startswith("2") and "application/json" in (response.get("content") or {}):
                    expected.add((method.upper(), template, status))
    return expected


def main(arguments):
    require = "--require-success-bodies" in arguments
    paths = [a for a in arguments if not a.startswith("--")]
    if len(paths) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(paths[0], encoding="utf-8") as file:
        document = yaml.safe_load(file)
    strict = copy.deepcopy(document)
    close_objects(strict)
    failures, seen, count, unmatched = [], set(), 0, 0
    with open(paths[1], encoding="utf-8") as file:
        for line in file:
            if not line.strip():
                continue
            count += 1
            problems, label = check(strict, json.loads(line))
            failures += problems
            unmatched += 1 if label is None and not problems else 0
            if label and not problems:
                seen.add(label)
    if require:
        for method, template, status in sorted(documented_success_bodies(document) - seen):
            failures.append(f"{method} {template} {status}: never answered (every documented JSON answer must be checked)")
    for failure in failures:
        print("FAIL " + failure)
    print(f"checked {count} answers ({unmatched} to paths the document does not have, not checked), "
          f"{len(seen)} distinct (operation, status) pairs, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
