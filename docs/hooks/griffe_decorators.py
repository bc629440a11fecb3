"""A griffe extension: a decorator derived from its aspect class reads as the function it is.

``prefix_keys = CalledDecoratorFactory(PrefixKeys, PrefixKeysWrapper, name=..., doc=...)`` is
an attribute to static analysis, which would show the assignment and no docstring. Each such
attribute becomes a function instead: its parameters are those of the aspect class (as
griffe's dataclasses extension works them out), its docstring is the ``doc=`` text, and it
returns a ``Decorator`` of the wrapper class, as the called decorator does.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

import griffe

_FACTORIES = frozenset(
    {"kvdeco._factory.DecoratorFactory", "kvdeco._factory.CalledDecoratorFactory"}
)


class FactoryDecorators(griffe.Extension):
    """Turn every decorator made by a factory of ``kvdeco._factory`` into a function."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        # The aspects' __init__ come from the dataclasses extension, which griffe runs after
        # the configured ones: run it first (it leaves a class that has one alone).
        griffe.DataclassesExtension().on_package(pkg=pkg, **kwargs)
        for module in _modules(pkg):
            for name, member in list(module.members.items()):
                if not member.is_alias and isinstance(member, griffe.Attribute):
                    function = _as_function(member)
                    if function is not None:
                        module.set_member(name, function)


def _modules(module: griffe.Module) -> list[griffe.Module]:
    found = [module]
    for member in module.members.values():
        if not member.is_alias and isinstance(member, griffe.Module):
            found.extend(_modules(member))
    return found


def _as_function(attribute: griffe.Attribute) -> griffe.Function | None:
    """The function ``attribute`` stands for, if a decorator factory made it."""
    call = attribute.value
    if not isinstance(call, griffe.ExprCall) or call.function.canonical_path not in _FACTORIES:
        return None
    aspect, wrapper = call.arguments[:2]
    doc = next(
        arg.value
        for arg in call.arguments
        if isinstance(arg, griffe.ExprKeyword) and arg.name == "doc"
    )
    init = attribute.modules_collection[aspect.canonical_path].members["__init__"]
    parameters = [
        griffe.Parameter(
            p.name, annotation=p.annotation, kind=p.kind, default=p.default, docstring=p.docstring
        )
        for p in init.parameters
        if p.name != "self"
    ]
    function = griffe.Function(
        attribute.name,
        lineno=attribute.lineno,
        endlineno=attribute.endlineno,
        parameters=griffe.Parameters(*parameters),
        returns=f"Decorator[{wrapper.name}]",
    )
    function.docstring = griffe.Docstring(
        inspect.cleandoc(ast.literal_eval(str(doc))),
        lineno=attribute.lineno,
        parent=function,
    )
    return function
