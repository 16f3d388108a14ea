"""The YAML config file: loaded, validated against ``data/config.schema.json``, errors naming key and line."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bestroute.errors import ConfigError


@dataclass(frozen=True)
class Rule:
    task_type: str
    prefer: str | None = None
    avoid: str | None = None
    boost: float = 0.15

    def describe(self) -> str:
        if self.prefer:
            return f"for {self.task_type} prefer {self.prefer} (+{self.boost:g})"
        return f"for {self.task_type} avoid {self.avoid} (-{self.boost:g})"


@dataclass(frozen=True)
class Config:
    baseline_model: str | None = None
    quality_floor: float = 0.6
    default_strategy: str = "balanced"
    providers: dict[str, dict[str, str]] = field(default_factory=dict)
    models: list[dict[str, Any]] = field(default_factory=list)
    rules: tuple[Rule, ...] = ()


def _schema() -> dict[str, Any]:
    text = resources.files("bestroute").joinpath("data/config.schema.json").read_text()
    return json.loads(text)


class _LineLoader(yaml.SafeLoader):
    """Remembers the line of every mapping key, so errors can point at it."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    mapping_with_lines = _Mapping(mapping)
    mapping_with_lines.lines = lines
    mapping_with_lines.line = node.start_mark.line + 1
    return mapping_with_lines


class _Mapping(dict):
    lines: dict[str, int]
    line: int


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line_of(doc: Any, path: list[Any]) -> int | None:
    line = None
    node = doc
    for part in path:
        if isinstance(node, _Mapping) and part in node:
            line = node.lines.get(part, line)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            line = getattr(node, "line", line)
        else:
            break
    return line


def parse_config(text: str, source: str = "config") -> Config:
    try:
        doc = yaml.load(text, Loader=_LineLoader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = list(err.absolute_path)
        key = ".".join(str(p) for p in path) or "(top level)"
        line = _line_of(doc, path)
        where = f" line {line}" if line else ""
        raise ConfigError(f"{source}{where}: key '{key}': {err.message}")
    rules = tuple(Rule(**{k: v for k, v in r.items()}) for r in doc.get("rules", []))
    return Config(
        baseline_model=doc.get("baseline_model"),
        quality_floor=doc.get("quality_floor", 0.6),
        default_strategy=doc.get("default_strategy", "balanced"),
        providers={k: dict(v) for k, v in (doc.get("providers") or {}).items()},
        models=[dict(m) for m in doc.get("models", [])],
        rules=rules,
    )


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    return parse_config(text, source=str(path))
