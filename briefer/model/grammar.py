"""A compact GBNF grammar from a JSON schema, for llama.cpp's server.

With ``response_format`` ``json_schema`` the server's own conversion allows free whitespace, and the
small embedded model was seen padding answers with long runs of spaces until ``max_tokens``. This
grammar allows at most one space between tokens and no newlines, so the JSON stays compact. It
covers the subset briefer's model-facing schemas use: objects (all properties required, in order),
arrays, strings (``maxLength`` too), string/integer enums, integers, ``$ref``.
"""

from __future__ import annotations

import json
from typing import Any

_BASE = r"""
ws ::= " "?
string ::= "\"" char* "\""
char ::= [^"\\\x00-\x1f] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F])
integer ::= "-"? ([0-9] | [1-9] [0-9]{0,15})
"""


class _Builder:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = schema.get("$defs", {})
        self.rules: dict[str, str] = {}
        self.counter = 0

    def _name(self, hint: str) -> str:
        self.counter += 1
        clean = "".join(c if c.isalnum() else "-" for c in hint.lower()).strip("-") or "r"
        return f"{clean[:24]}-{self.counter}"

    def rule(self, schema: dict[str, Any], hint: str) -> str:
        if "$ref" in schema:
            return self.rule(self.defs[schema["$ref"].rsplit("/", 1)[-1]], hint)
        if "enum" in schema or "const" in schema:
            values = schema.get("enum", [schema.get("const")])
            name = self._name(hint)
            self.rules[name] = " | ".join(literal(json.dumps(v)) for v in values)
            return name
        kind = schema.get("type")
        if kind == "string" and "maxLength" in schema:
            # A hard bound: the model must close the string by then (headline.py mends a cut).
            name = self._name(hint)
            self.rules[name] = f'"\\"" char{{0,{int(schema["maxLength"])}}} "\\""'
            return name
        if kind == "string":
            return "string"
        if kind == "integer":
            return "integer"
        if kind == "array":
            item = self.rule(schema.get("items", {"type": "string"}), hint + "-item")
            name = self._name(hint)
            self.rules[name] = f'"[" ws ( {item} ( "," ws {item} )* )? ws "]"'
            return name
        if kind == "object":
            props: dict[str, Any] = schema.get("properties", {})
            parts = []
            for i, (key, sub) in enumerate(props.items()):
                sep = '"," ws ' if i else ""
                parts.append(f'{sep}{literal(json.dumps(key))} ws ":" ws {self.rule(sub, key)}')
            name = self._name(hint)
            self.rules[name] = '"{" ws ' + " ".join(parts) + ' ws "}"'
            return name
        raise ValueError(f"schema construct not supported by the grammar: {schema}")


def literal(text: str) -> str:
    """A GBNF string literal matching ``text`` exactly."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def schema_to_gbnf(schema: dict[str, Any]) -> str:
    builder = _Builder(schema)
    top = builder.rule(schema, "root")
    lines = [f"root ::= {top}"] + [f"{name} ::= {body}" for name, body in builder.rules.items()]
    return "\n".join(lines) + _BASE


def string_body(max_length: int | None) -> str:
    """A JSON string's characters and closing quote (its opening quote written before it)."""
    body = f"char{{0,{int(max_length)}}}" if max_length is not None else "char*"
    return f'{body} "\\""'


def gbnf(root: str) -> str:
    """A grammar of the rule ``root`` over the base rules (``char``, ``ws``, ``string``)."""
    return f"root ::= {root}" + _BASE


def enum_rest_gbnf(rests: list[str]) -> str:
    """A grammar for the rest of one of several values begun (raw text, each matched as is)."""
    return "root ::= " + " | ".join(literal(rest) for rest in rests) + _BASE
