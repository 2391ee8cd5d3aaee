"""Templates compiled once per locale, with their constant messages already translated.

A page calls `_("...")` a hundred times or more (the browse page some 210 times: every card
repeats its labels), and every call goes through Jinja's gettext wrapper, the catalogue and the
Markup formatting: measured as the largest single cost of rendering. A message in a template is
a constant, and the catalogue of a locale does not change while the app runs, so each template
is compiled once per locale with `_("Quantity")` replaced by "Menge" itself. Messages with
placeholders keep only their formatting at run time; plurals (which depend on a count) stay
runtime calls. Mail rendered under force_locale() gets the recipient's compiled template.
"""

import weakref
from contextvars import ContextVar

from flask import Flask, has_app_context
from flask.templating import Environment
from flask_babel import get_locale, get_translations
from jinja2 import nodes, pass_context
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

#: The locale the template being compiled is for (None: compile without translating).
_compiling_for: ContextVar = ContextVar("compiling_for", default=None)
_MESSAGE_CALLS = {"_", "gettext"}


@pass_context
def translated_format(context, message: str, **variables):
    """What Jinja's newstyle gettext does after the lookup: Markup under autoescape (the
    catalogue is trusted, the values are escaped), and always a format string."""
    text = Markup(message) if context.eval_ctx.autoescape else message  # noqa: S704 - our catalogue
    return text % variables


class _TranslateMessages(NodeTransformer):
    def __init__(self, translations, names: set[str]) -> None:
        self.translations = translations
        self.names = names

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (
            isinstance(node.node, nodes.Name)
            and node.node.name in self.names
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        message = self.translations.ugettext(node.args[0].value)
        if node.kwargs:
            return nodes.Call(
                nodes.Name("translated_format", "load"),
                [nodes.Const(message)],
                node.kwargs,
                None,
                None,
                lineno=node.lineno,
            )
        try:
            message = message % {}  # as the runtime call would: "%%" is "%"
        except (KeyError, TypeError, ValueError):
            return node  # a placeholder without a value: keep the runtime error as it was
        return nodes.MarkSafeIfAutoescape(nodes.Const(message), lineno=node.lineno)


def _assigned_names(tree: nodes.Template) -> set[str]:
    return {target.name for target in tree.find_all(nodes.Name) if target.ctx == "store"}


class TranslatedEnvironment(Environment):
    """Flask's Jinja environment, keeping one compiled template per (locale, name)."""

    def _load_template(self, name, globals):
        locale = get_locale() if has_app_context() else None
        if locale is None or self.loader is None:
            return super()._load_template(name, globals)
        locale = str(locale)
        cache_key = (weakref.ref(self.loader), name, locale)
        if self.cache is not None:
            template = self.cache.get(cache_key)
            if template is not None and (not self.auto_reload or template.is_up_to_date):
                if globals:
                    template.globals.update(globals)
                return template
        token = _compiling_for.set(locale)
        try:
            template = self.loader.load(self, name, self.make_globals(globals))
        finally:
            _compiling_for.reset(token)
        if self.cache is not None:
            self.cache[cache_key] = template
        return template

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        if _compiling_for.get() is None:
            return tree
        # A template that assigns `_` itself (forms.html keeps list.append results in it)
        # keeps its `_(...)` calls as they are.
        names = _MESSAGE_CALLS - _assigned_names(tree)
        return _TranslateMessages(get_translations(), names).visit(tree)


class App(Flask):
    jinja_environment = TranslatedEnvironment


def install_translated_format(app: Flask) -> None:
    app.jinja_env.globals["translated_format"] = translated_format
