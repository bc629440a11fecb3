"""griffe extensions: the reference shows kvdeco's API as ``help()`` and a caller see it.

:class:`MarkdownDocstrings` makes docstrings written for ``help()`` read as Markdown:

- Google style names the section ``Examples:``; griffe takes the singular ``Example:`` for an
  admonition whose Markdown turns each ``>>>`` line into a nested blockquote. kvdeco's
  docstrings say ``Example:`` where there is one example, so the extension renames the
  heading before griffe parses the docstring.
- reST ends the paragraph before a literal block with ``::``, which Sphinx shows as ``:``;
  Markdown already reads the indented block as code, and would show the ``::`` itself.

:class:`DecoratorFactories` shows each decorator made by a factory
(``with_timeout = DecoratorFactory(Timeout, TimeoutWrapper, name=..., doc=...)``) as the
function it behaves as: its options are its aspect's fields, its docstring the ``doc`` given.
Read statically, it would be a module attribute whose value is the factory call. It needs the
``dataclasses`` extension to have run first, which gives each aspect class its ``__init__``.
"""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any

import griffe

_SINGULAR = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)
_LITERAL_MARKER = re.compile(r"(\S)::[ \t]*\n(?=[ \t]*\n)")

_FACTORIES = frozenset(
    {"kvdeco._factory.CalledDecoratorFactory", "kvdeco._factory.DecoratorFactory"}
)


def _markdown(docstring: str) -> str:
    text = _SINGULAR.sub(r"\1Examples:", docstring)
    return _LITERAL_MARKER.sub("\\1:\n", text)


class MarkdownDocstrings(griffe.Extension):
    """Rewrite every docstring griffe loads, before it is parsed."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _markdown(obj.docstring.value)


class DecoratorFactories(griffe.Extension):
    """Turn each module attribute made by a decorator factory into a function."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for module in _modules(pkg):
            for name, member in list(module.members.items()):
                if member.is_alias or not member.is_attribute:
                    continue
                decorator = _as_function(member)
                if decorator is not None:
                    module.set_member(name, decorator)


def _modules(module: Any) -> list[Any]:
    found = [module]
    for member in module.members.values():
        if not member.is_alias and member.is_module:
            found.extend(_modules(member))
    return found


def _as_function(attribute: Any) -> griffe.Function | None:
    """The decorator ``attribute`` holds, as a function, or ``None`` if it holds none."""
    call = attribute.value
    if not isinstance(call, griffe.ExprCall) or not _is_factory(attribute, call.function):
        return None
    aspect = attribute.modules_collection[call.arguments[0].canonical_path]
    if "__init__" not in aspect.members:
        raise RuntimeError(
            f"{aspect.path} has no __init__ yet: list griffe's dataclasses extension before "
            "this one in mkdocs.yml"
        )
    doc = next(
        a.value for a in call.arguments if isinstance(a, griffe.ExprKeyword) and a.name == "doc"
    )
    function = griffe.Function(
        attribute.name,
        lineno=attribute.lineno,
        endlineno=attribute.endlineno,
        parameters=griffe.Parameters(
            *(
                griffe.Parameter(p.name, annotation=p.annotation, kind=p.kind, default=p.default)
                for p in aspect["__init__"].parameters
                if p.name != "self"
            )
        ),
        parent=attribute.parent,
    )
    function.docstring = griffe.Docstring(
        _markdown(inspect.cleandoc(ast.literal_eval(str(doc)))),
        lineno=attribute.lineno,
        parent=function,
    )
    return function


def _is_factory(attribute: Any, called: Any) -> bool:
    """Whether ``called`` names one of kvdeco's decorator factories, or a subclass of one."""
    try:
        found = attribute.modules_collection[called.canonical_path]
    except (AttributeError, KeyError):
        return False
    if not isinstance(found, griffe.Class):
        return False
    return any(cls.path in _FACTORIES for cls in (found, *found.mro()))
