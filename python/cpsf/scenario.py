"""Scenarios: load, build, change, validate and save them.

A scenario is the protobuf message ``cpsf.v1.Scenario`` (model/cpsf/v1/scenario.proto,
docs/scenario-format.md). :class:`Scenario` holds one and adds what Python users
need: loading and saving in the three formats through the engine's own reader and
writer (so the command line's file checks, includes, size limits and diagnostics
apply), building from dicts and keyword arguments, lookup by id, and validation with
the command line's messages.

Every field of the message is an attribute of the scenario (``s.name``,
``s.assets``, ``s.settings.trials``); :attr:`Scenario.proto` is the message itself.
Entities returned by lookups and ``add_*`` are the live messages inside the scenario:
changing them changes the scenario.
"""
from __future__ import annotations

import os
import pathlib
import warnings
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from google.protobuf import json_format, text_format
from google.protobuf.message import DecodeError, Message

from . import _check, _core, v1
from .errors import Problem, ScenarioError, ScenarioFileError, ScenarioWarning

__all__ = ["Scenario", "load", "validate", "generate", "DEFAULT_SCENARIO", "FORMATS"]

PathLike = Union[str, "os.PathLike[str]"]

#: The formats a scenario is read and written in: protobuf text format, JSON, binary.
FORMATS = ("text", "json", "binary")

#: The bundled default scenario (an automotive supply chain), when the package runs
#: from a source checkout: ``scenarios/default/scenario.textproto``.
DEFAULT_SCENARIO = pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "default" / "scenario.textproto"

_FIELDS = {f.name: f for f in v1.Scenario.DESCRIPTOR.fields}
# Entity kinds: singular name -> repeated field of Scenario.
_KINDS = {
    "enterprise": "enterprises",
    "asset": "assets",
    "relation": "relations",
    "control": "controls",
    "threat": "threats",
    "dependency": "dependencies",
    "requirement": "requirements",
    "baseline": "baselines",
}


#: The first bytes of the integrity record cpsf writes at the start of a .pb file
#: (field 2047, cpsf.v1.FileIntegrity, 14 bytes long).
_INTEGRITY_TAG = b"\xfa\x7f\x0e"


def _list_of(kind: Any) -> str:
    """The repeated field of Scenario that holds entities of `kind` ("asset" -> "assets")."""
    if isinstance(kind, str) and kind not in _KINDS:
        for singular, plural in _KINDS.items():
            if kind == plural:
                raise ValueError(f"kind must be one of {', '.join(map(repr, _KINDS))}; not {kind!r} "
                                 f"(fix: the singular, {singular!r})")
    return _KINDS[_check.choice("kind", kind, tuple(_KINDS))]


def _problem(message: str, *, path: str = "", entity: str = "", hint: str = "", file: str = "<python>") -> Problem:
    text = f"{file}: error: {entity + ': ' if entity else ''}{message}"
    if hint:
        text += f" (fix: {hint})"
    if path:
        text += f" [{path}]"
    return Problem("error", file, 0, 0, path, entity, message, hint, text)


def _plain(value: Any) -> Any:
    """Messages inside dicts/lists become dicts that json_format.ParseDict accepts."""
    if isinstance(value, Message):
        return json_format.MessageToDict(value, preserving_proto_field_name=True)
    if isinstance(value, Scenario):
        return _plain(value.proto)
    if isinstance(value, Mapping):
        return {("from" if k == "from_" else k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def _parse_into(message: Message, fields: Mapping[str, Any], where: str) -> Message:
    if not isinstance(fields, (Mapping, Message)):
        raise TypeError(f"{where or 'the scenario'} must be given as a dict (or a cpsf.v1 message), "
                        f"not {type(fields).__name__}")
    try:
        json_format.ParseDict(_plain(fields), message)
    except json_format.ParseError as e:
        raise ScenarioError([_problem(str(e), path=where, hint="see model/cpsf/v1/scenario.proto for the fields")],
                            f"cannot build {where or 'the scenario'} from the values given") from None
    return message


def _raise_for(problems: List[Problem], subject: str, strict: bool = False) -> List[Problem]:
    """Raise ScenarioError("<subject> is invalid (n errors)") on errors; else return the warnings."""
    errors = [p for p in problems if p.is_error]
    warnings_ = [p for p in problems if not p.is_error]
    if errors or (strict and warnings_):
        counted = errors or warnings_
        what = "error" if errors else "warning"
        raise ScenarioError(problems, f"{subject} is invalid ({len(counted)} {what}{'s' if len(counted) != 1 else ''})")
    return warnings_


_MAX_WARNINGS = 5  # issued one by one; the rest as one summary warning


def _warn(problems: Iterable[Problem], stacklevel: int = 3) -> None:
    problems = list(problems)
    for p in problems[:_MAX_WARNINGS]:
        warnings.warn(str(p), ScenarioWarning, stacklevel=stacklevel)
    if len(problems) > _MAX_WARNINGS:
        warnings.warn(f"... and {len(problems) - _MAX_WARNINGS} more warnings (Scenario.problems() lists them all)",
                      ScenarioWarning, stacklevel=stacklevel)


class Scenario:
    """A supply-chain scenario: a ``cpsf.v1.Scenario`` message with helpers.

    Parameters
    ----------
    proto : cpsf.v1.Scenario or dict, optional
        The message to wrap (not copied), or a dict as for :meth:`from_dict`.
        Default: an empty scenario.
    **fields
        Top-level fields to set, e.g. ``name="my chain", currency="kJPY"``.

    Attributes
    ----------
    source : str or None
        The file the scenario was loaded from, if any. Runs report it as
        ``scenario.file`` in their results.

    See Also
    --------
    load : read a scenario file.
    cpsf.run : run the simulation.

    Examples
    --------
    Build a small chain: an office PC that phishing reaches, a file server behind it.

    >>> import cpsf
    >>> s = cpsf.Scenario(name="two assets", currency="kJPY")
    >>> _ = s.add_enterprise(id="acme", daily_output=1000)
    >>> _ = s.add_asset(id="pc", owner="acme", layer="L3", element="COMPONENT", exposure=0.3)
    >>> _ = s.add_asset(id="files", owner="acme", layer="L3", element="DATA",
    ...                 loss={"confidentiality": 5000}, target=True)
    >>> _ = s.add_relation(from_="pc", to="files", layer="L3", kind="NETWORK",
    ...                    step={"p": 0.5, "mitigated_by": ["CPS.AC-1"]})
    >>> _ = s.add_control(id="mfa", requirement="CPS.AC-1", level="ADVANCED",
    ...                   efficacy=0.8, implemented=True)
    >>> s
    <cpsf.Scenario 'two assets': 1 enterprise, 2 assets, 1 relation, 1 control, 0 threats>
    >>> s.validate()
    []
    >>> s.asset("files").loss.confidentiality
    5000.0
    >>> s.control("mfa").efficacy = 0.9  # entities are live: this changes s
    >>> s.controls[0].efficacy
    0.9
    """

    __slots__ = ("_proto", "source", "files")

    def __init__(self, proto: Union[v1.Scenario, Mapping[str, Any], None] = None, /, **fields: Any):
        if proto is None:
            proto = v1.Scenario()
        elif isinstance(proto, Mapping):
            proto = _parse_into(v1.Scenario(), proto, "")
        elif not isinstance(proto, v1.Scenario):
            raise TypeError(f"Scenario() takes a cpsf.v1.Scenario or a dict, not {type(proto).__name__}")
        object.__setattr__(self, "_proto", proto)
        object.__setattr__(self, "source", None)
        object.__setattr__(self, "files", [])
        for name, value in fields.items():
            setattr(self, name, value)

    # ---- the message ------------------------------------------------------------------------
    @property
    def proto(self) -> v1.Scenario:
        """The ``cpsf.v1.Scenario`` message itself (live, not a copy)."""
        return self._proto

    def __getattr__(self, name: str) -> Any:
        if name in _FIELDS:
            return getattr(object.__getattribute__(self, "_proto"), name)
        raise AttributeError(f"'Scenario' object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in Scenario.__slots__:
            object.__setattr__(self, name, value)
            return
        field = _FIELDS.get(name)
        if field is None:
            raise AttributeError(f"Scenario has no field {name!r} (fields: {', '.join(_FIELDS)})")
        proto = self._proto
        if field.label == field.LABEL_REPEATED:
            container = getattr(proto, name)
            del container[:]
            if field.message_type is None:
                container.extend(value)
            else:
                for item in value:
                    self._add_to(name, item)
        elif field.message_type is not None:
            message = getattr(v1, field.message_type.name)()
            if isinstance(value, Message):
                message.CopyFrom(value)
            else:
                _parse_into(message, value, name)
            getattr(proto, name).CopyFrom(message)
        else:
            setattr(proto, name, value)

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(_FIELDS))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Scenario):
            return self._proto == other._proto
        if isinstance(other, v1.Scenario):
            return self._proto == other
        return NotImplemented

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        p = self._proto

        def n(count: int, word: str, plural: str = "") -> str:
            return f"{count} {word if count == 1 else (plural or word + 's')}"

        return (f"<cpsf.Scenario {p.name!r}: {n(len(p.enterprises), 'enterprise')}, {n(len(p.assets), 'asset')}, "
                f"{n(len(p.relations), 'relation')}, {n(len(p.controls), 'control')}, {n(len(p.threats), 'threat')}>")

    def copy(self) -> "Scenario":
        """A deep copy (same ``source``); changing it leaves this scenario alone."""
        proto = v1.Scenario()
        proto.CopyFrom(self._proto)
        other = Scenario(proto)
        object.__setattr__(other, "source", self.source)
        object.__setattr__(other, "files", list(self.files))
        return other

    __copy__ = copy

    def __deepcopy__(self, memo: dict) -> "Scenario":
        return self.copy()

    def __reduce__(self):
        return (_restore, (self.to_bytes(), self.source))

    # ---- reading ----------------------------------------------------------------------------
    @classmethod
    def load(cls, path: PathLike, *, validate: bool = True, max_file_bytes: Optional[int] = None,
             library: Optional[PathLike] = None) -> "Scenario":
        """Read a scenario file; see :func:`cpsf.load`."""
        return load(path, validate=validate, max_file_bytes=max_file_bytes, library=library)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Scenario":
        """Build a scenario from a dict shaped like the JSON format.

        Keys are field names (``snake_case`` or the JSON ``lowerCamelCase``), enums are
        given by name (``"L3"``, ``"DATA"``), nested messages as dicts and repeated
        fields as lists. Unknown fields raise :class:`cpsf.ScenarioError`.

        Examples
        --------
        >>> import cpsf
        >>> s = cpsf.Scenario.from_dict({"name": "x", "enterprises": [{"id": "e"}],
        ...                              "settings": {"trials": 2000, "seed": 7}})
        >>> s.settings.trials, len(s.enterprises)
        (2000, 1)
        >>> cpsf.Scenario.from_dict({"assets": [{"id": "a", "colour": "red"}]})
        Traceback (most recent call last):
        ...
        cpsf.errors.ScenarioError: cannot build the scenario from the values given
        ...
        """
        _check.instance("data", data, Mapping, "a dict")
        return cls(_parse_into(v1.Scenario(), data, ""))

    @classmethod
    def from_frames(cls, enterprises: Any, assets: Any, relations: Any, dependencies: Any = None,
                    controls: Any = None, threats: Any = None, requirements: Any = None,
                    scenario: Any = None) -> "Scenario":
        """Build a scenario from pandas DataFrames in the inventory's columns; see
        :func:`cpsf.inventory.from_frames`."""
        from .inventory import from_frames
        return from_frames(enterprises, assets, relations, dependencies, controls, threats, requirements, scenario)

    @classmethod
    def from_networkx(cls, graph: Any, **lists: Any) -> "Scenario":
        """Build a scenario from a NetworkX graph (nodes assets, edges relations); see
        :func:`cpsf.inventory.from_networkx`."""
        from .inventory import from_networkx
        return from_networkx(graph, **lists)

    def to_frames(self) -> Dict[str, Any]:
        """The scenario as DataFrames in the inventory's columns; see :func:`cpsf.inventory.to_frames`."""
        from .inventory import to_frames
        return to_frames(self)

    @classmethod
    def from_text(cls, text: str) -> "Scenario":
        """Parse protobuf text format (what ``.textproto`` files hold).

        Syntax errors raise :class:`cpsf.ScenarioError` with the line and column.
        ``include`` is kept but not resolved: includes are resolved only when loading
        a file (:func:`cpsf.load`).

        Examples
        --------
        >>> import cpsf
        >>> cpsf.Scenario.from_text('name: "t" enterprises { id: "e" }').enterprises[0].id
        'e'
        >>> try:
        ...     cpsf.Scenario.from_text('name: "t"\\nenterprises { idd: "e" }')
        ... except cpsf.ScenarioError as e:
        ...     print(e.problems[0].line, e.problems[0].column)
        2 15
        """
        _check.text("text", text)
        proto = v1.Scenario()
        try:
            text_format.Parse(text, proto)
        except text_format.ParseError as e:
            line, column = (e.GetLine() or 0), (e.GetColumn() or 0)
            raise ScenarioError([Problem("error", "<text>", line, column, "", "", str(e), "",
                                         f"<text>:{line}:{column}: error: {e}")],
                                "cannot parse the scenario text") from None
        return cls(proto)

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> "Scenario":
        """Parse the JSON format (what ``.json`` scenario files hold).

        Examples
        --------
        >>> import cpsf
        >>> cpsf.Scenario.from_json('{"name": "t", "currency": "USD"}').currency
        'USD'
        """
        _check.instance("text", text, (str, bytes), "a str (or bytes) of JSON")
        proto = v1.Scenario()
        try:
            json_format.Parse(text, proto)
        except json_format.ParseError as e:
            raise ScenarioError([_problem(str(e), file="<json>")], "cannot parse the scenario JSON") from None
        return cls(proto)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Scenario":
        """Parse the binary format (``SerializeToString`` output, ``.pb`` files).

        The integrity record that cpsf writes at the start of a ``.pb`` file is checked,
        as when the file is loaded (a cut or altered file raises ScenarioError), and dropped:
        it is never part of the scenario.
        """
        _check.instance("data", data, (bytes, bytearray, memoryview), "bytes")
        data = bytes(data)
        if data[:3] == _INTEGRITY_TAG:
            plain, problems = _core.scenario.parse_binary(data)
            if plain is None:
                raise ScenarioError([Problem._from_core(t) for t in problems],
                                    "cannot parse the scenario bytes") from None
            data = plain
        proto = v1.Scenario()
        try:
            proto.ParseFromString(bytes(data))
        except DecodeError as e:
            raise ScenarioError([_problem(f"not a binary cpsf.v1.Scenario: {e}", file="<bytes>")],
                                "cannot parse the scenario bytes") from None
        proto.ClearField("integrity")  # a record another tool moved: not checkable, not the scenario's
        return cls(proto)

    # ---- writing ----------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The binary format: the scenario's protobuf wire bytes. A ``.pb`` file written by
        :meth:`save` starts with an integrity record before them (docs/scenario-format.md)."""
        return self._proto.SerializeToString()

    def to_text(self) -> str:
        """Protobuf text format, exactly as ``cpsf convert`` writes it.

        Examples
        --------
        >>> import cpsf
        >>> print(cpsf.Scenario(name="t", currency="kJPY").to_text(), end="")
        name: "t"
        currency: "kJPY"
        """
        return _core.scenario.serialise(self.to_bytes(), "text").decode("utf-8")

    def to_json(self) -> str:
        """The JSON format, exactly as ``cpsf convert`` writes it."""
        return _core.scenario.serialise(self.to_bytes(), "json").decode("utf-8")

    def to_dict(self) -> Dict[str, Any]:
        """A dict in the shape :meth:`from_dict` takes (field names in ``snake_case``).

        64-bit integers (``settings.trials``, ``settings.seed``) come out as strings,
        as in the JSON format; :meth:`from_dict` takes them back.
        """
        return json_format.MessageToDict(self._proto, preserving_proto_field_name=True)

    def save(self, path: PathLike, format: Optional[str] = None) -> pathlib.Path:
        """Write the scenario as ``cpsf convert`` does: atomically (a temporary file, then a
        rename) over a regular file; a link is followed, a FIFO or device written through
        (docs/cli.md, "Writing files").

        Parameters
        ----------
        path : str or path-like
            Where to write. Its extension names the format unless `format` is given:
            ``.textproto``/``.txtpb``/``.pbtxt`` text, ``.json`` JSON, ``.pb``/``.binpb`` binary.
        format : {"text", "json", "binary"}, optional
            The format, overriding the extension.

        Returns
        -------
        pathlib.Path
            The path written.

        Examples
        --------
        >>> import cpsf, tempfile, pathlib
        >>> s = cpsf.load(cpsf.DEFAULT_SCENARIO)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     for name in ("chain.textproto", "chain.json", "chain.pb"):
        ...         assert cpsf.load(s.save(pathlib.Path(d) / name)) == s
        """
        path = _check.path("path", path)
        if format is None:
            format = _core.scenario.format_from_path(path)
            if format is None:
                raise ValueError(f"cannot tell the format of '{path}': name it .textproto, .json or .pb, "
                                 "or give format='text', 'json' or 'binary'")
        else:
            _check.choice("format", format, FORMATS)
        try:
            _core.scenario.save(path, self.to_bytes(), format)
        except ValueError as e:
            raise OSError(str(e)) from None
        return pathlib.Path(path)

    def summary(self) -> str:
        """What the scenario holds, as ``cpsf validate --summary`` prints it."""
        return _core.scenario.summary(self.to_bytes())

    def explain(self, relation: Union[str, int]) -> Dict[str, Any]:
        """One relation's resolved attack step and where each number came from, as
        ``cpsf validate --explain RELATION --json`` writes it (docs/library.md).

        Parameters
        ----------
        relation : str or int
            The relation's id, or its index from 0.

        Returns
        -------
        dict
            ``relation`` (id, from, to, kind, layer, to_element), ``library`` (version, the
            matching ``step`` or None), ``capabilities`` (per threat capability: ``p`` and
            ``ttc`` with ``p_from`` and ``ttc_from``, each an origin: ``from`` is
            ``"scenario"``, ``"library"``, ``"requirement_defaults"`` or ``"none"``, with the
            library step and the number's provenance ``source`` and ``note``),
            ``mitigated_by`` with ``mitigations_from``, and ``controls``: the controls in
            force that act on the step, each with its ``efficacy`` and ``efficacy_from``.

        Raises
        ------
        ScenarioError
            The scenario has errors (a step is only resolved in a valid scenario).
        KeyError
            No relation has that id or index.

        Examples
        --------
        >>> import cpsf
        >>> s = cpsf.load(cpsf.DEFAULT_SCENARIO)
        >>> x = s.explain("r-oem-ws-ad")
        >>> x["library"]["step"], x["capabilities"][0]["p"], x["capabilities"][0]["p_from"]["from"]
        ('network-l3', 0.5, 'library')
        >>> x["capabilities"][1]["capability"], x["capabilities"][1]["p"]
        ('TARGETED_SUPPLY_CHAIN', 0.6)
        """
        import json

        if isinstance(relation, bool) or not isinstance(relation, (str, int)):
            raise TypeError(f"relation must be an id (str) or an index (int), not {type(relation).__name__}")
        _validated(self, "Scenario.explain", stacklevel=3)
        try:
            return json.loads(_core.scenario.explain(self.to_bytes(), str(relation)))
        except KeyError as e:
            raise KeyError(e.args[0]) from None

    # ---- validation -------------------------------------------------------------------------
    def problems(self, name: str = "<memory>") -> List[Problem]:
        """Every problem the validator finds, errors and warnings, without raising.

        Parameters
        ----------
        name : str
            The file name the problems carry. A scenario in memory has no lines:
            problems name the entity and the field path (``assets[3].exposure``).
        """
        name = _check.text("name", name)
        return [Problem._from_core(t) for t in _core.validation.validate(self.to_bytes(), name)]

    def validate(self, *, strict: bool = False, name: str = "<memory>") -> List[Problem]:
        """Check the scenario as ``cpsf validate`` does.

        Parameters
        ----------
        strict : bool
            Treat warnings as errors (``cpsf validate --werror``).
        name : str
            The file name the problems carry (see :meth:`problems`).

        Returns
        -------
        list of Problem
            The warnings (legal but suspicious), when there is no error.

        Raises
        ------
        ScenarioError
            When there is an error (or, with `strict`, a warning); ``.problems`` holds them all.

        Examples
        --------
        >>> import cpsf
        >>> s = cpsf.load(cpsf.DEFAULT_SCENARIO)
        >>> s.validate()
        []
        >>> s.asset("oem-mes").containment = 1.5
        >>> s.validate()
        Traceback (most recent call last):
        ...
        cpsf.errors.ScenarioError: the scenario is invalid (1 error)
          <memory>: error: asset 'oem-mes': containment is 1.5, outside [0, 1] ...
        """
        strict = _check.flag("strict", strict)
        return _raise_for(self.problems(name), "the scenario", strict)

    # ---- entities ---------------------------------------------------------------------------
    def _add_to(self, list_name: str, fields: Union[Message, Mapping[str, Any], None], **kw: Any) -> Message:
        field = _FIELDS[list_name]
        message = getattr(v1, field.message_type.name)()
        if isinstance(fields, Message):
            message.CopyFrom(fields)
            if kw:
                _parse_into(message, kw, f"{list_name}[{len(getattr(self._proto, list_name))}]")
        elif fields is not None and not isinstance(fields, Mapping):
            raise TypeError(f"fields must be a dict or a cpsf.v1 message, not {type(fields).__name__}")
        else:
            merged = dict(fields or {})
            merged.update(kw)
            _parse_into(message, merged, f"{list_name}[{len(getattr(self._proto, list_name))}]")
        container = getattr(self._proto, list_name)
        added = container.add()
        added.CopyFrom(message)
        return added

    def add(self, kind: str, fields: Union[Message, Mapping[str, Any], None] = None, /, **kw: Any) -> Message:
        """Append an entity and return it (live).

        Parameters
        ----------
        kind : str
            ``"enterprise"``, ``"asset"``, ``"relation"``, ``"control"``, ``"threat"``,
            ``"dependency"``, ``"requirement"`` or ``"baseline"``.
        fields : dict or message, optional
            The entity, as a dict (as in :meth:`from_dict`) or a ``cpsf.v1`` message.
        **kw
            More fields; ``from_`` stands for ``from`` (a Python keyword).
        """
        return self._add_to(_list_of(kind), fields, **kw)

    def add_enterprise(self, fields=None, /, **kw) -> v1.Enterprise:
        """Append an enterprise (``id``, ``name``, ``sector``, ``role``, ``daily_output``, ``baseline``)."""
        return self.add("enterprise", fields, **kw)

    def add_asset(self, fields=None, /, **kw) -> v1.Asset:
        """Append an asset (``id``, ``owner``, ``layer``, ``element``, ``gate``, ``loss``, ``exposure``,
        ``containment``, ``target``, ``tags``)."""
        return self.add("asset", fields, **kw)

    def add_relation(self, fields=None, /, **kw) -> v1.Relation:
        """Append a relation (``id``, ``from_``, ``to``, ``layer``, ``kind``, ``step`` = {``p``, ``ttc``,
        ``mitigated_by``}, ``description``)."""
        return self.add("relation", fields, **kw)

    def add_control(self, fields=None, /, **kw) -> v1.Control:
        """Append a control (``id``, ``requirement``, ``level``, ``efficacy``, ``cost``, ``implemented``,
        ``enterprises``, ``assets``, ``relations``)."""
        return self.add("control", fields, **kw)

    def add_threat(self, fields=None, /, **kw) -> v1.Threat:
        """Append a threat (``id``, ``capability``, ``entry_points``, ``objectives``, ``annual_frequency``,
        ``step_scale``)."""
        return self.add("threat", fields, **kw)

    def add_dependency(self, fields=None, /, **kw) -> v1.SupplyDependency:
        """Append a supply dependency (``customer``, ``supplier``, ``share``, ``buffer_days``)."""
        return self.add("dependency", fields, **kw)

    def _find(self, kind: str, id: str) -> Message:
        _check.text("id", id)
        for item in getattr(self._proto, _KINDS[kind]):
            if item.id == id:
                return item
        raise KeyError(f"no {kind} with id {id!r}")

    def enterprise(self, id: str) -> v1.Enterprise:
        """The enterprise with this id (live). Raises KeyError."""
        return self._find("enterprise", id)

    def asset(self, id: str) -> v1.Asset:
        """The asset with this id (live). Raises KeyError."""
        return self._find("asset", id)

    def relation(self, id: str) -> v1.Relation:
        """The relation with this id (live). Raises KeyError."""
        return self._find("relation", id)

    def control(self, id: str) -> v1.Control:
        """The control with this id (live). Raises KeyError."""
        return self._find("control", id)

    def threat(self, id: str) -> v1.Threat:
        """The threat with this id (live). Raises KeyError."""
        return self._find("threat", id)

    def remove(self, kind: str, id: str) -> Message:
        """Remove the entity of this kind and id; return a copy of it.

        Parameters
        ----------
        kind : str
            ``"enterprise"``, ``"asset"``, ``"relation"``, ``"control"``, ``"threat"``,
            ``"requirement"`` or ``"baseline"`` (singular). Dependencies have no id:
            delete them from ``s.dependencies`` by index.
        id : str

        Raises
        ------
        KeyError
            No entity of that kind has that id.

        References to it elsewhere are left as they are: :meth:`validate` reports them.
        """
        name = _list_of(kind)
        if "id" not in _FIELDS[name].message_type.fields_by_name:
            raise ValueError(f"{name} have no id (fix: delete one from s.{name} by index, e.g. del s.{name}[0])")
        container = getattr(self._proto, name)
        _check.text("id", id)
        for i, item in enumerate(container):
            if item.id == id:
                removed = type(item)()
                removed.CopyFrom(item)
                del container[i]
                return removed
        raise KeyError(f"no {kind} with id {id!r}")

    def candidate_controls(self) -> List[v1.Control]:
        """The controls not implemented (``implemented: false``): candidates (live)."""
        return [c for c in self._proto.controls if not c.implemented]

    # ---- running ----------------------------------------------------------------------------
    def run(self, **options: Any):
        """Run the simulation: ``cpsf.run(self, **options)``; see :func:`cpsf.run`."""
        from .simulation import run

        return run(self, **options)


def _validated(scenario: Union["Scenario", v1.Scenario, PathLike], caller: str, subject: str = "the scenario",
               stacklevel: int = 4) -> "tuple[Scenario, Optional[str]]":
    """What :func:`cpsf.run`, :func:`cpsf.optimise` and :func:`cpsf.compare` take — a
    Scenario, a cpsf.v1.Scenario or a file (read with :func:`load`, so problems name the
    file and line) — validated (errors raise ScenarioError, warnings warn at `stacklevel`),
    and the file it came from (None for one built in memory)."""
    if isinstance(scenario, v1.Scenario):
        scenario = Scenario(scenario)
    if isinstance(scenario, Scenario):
        problems = [Problem._from_core(t) for t in _core.validation.validate(scenario.to_bytes(), "<memory>")]
        _warn(_raise_for(problems, subject), stacklevel=stacklevel)
        return scenario, scenario.source
    if isinstance(scenario, (str, os.PathLike)):
        path = os.fspath(scenario)
        return load(path), path
    raise TypeError(f"{caller} takes a Scenario, a cpsf.v1.Scenario or a path, not {type(scenario).__name__}")


def _restore(data: bytes, source: Optional[str]) -> Scenario:
    s = Scenario.from_bytes(data)
    object.__setattr__(s, "source", source)
    return s


def load(path: PathLike, *, validate: bool = True, max_file_bytes: Optional[int] = None,
         library: Optional[PathLike] = None) -> Scenario:
    """Read a scenario file in any of the three formats, with its includes.

    The engine's reader does the work, as for ``cpsf validate``: the file must be a
    regular file under the size limit, text formats may not hold binary bytes,
    unknown fields and enum values are errors with their line, includes must stay in
    the scenario's directory tree. Included files are merged: the scenario returned
    holds every entity and no ``include``.

    Parameters
    ----------
    path : str or path-like
        The scenario file; the format follows the extension (``.textproto``,
        ``.txtpb``, ``.pbtxt``, ``.json``, ``.pb``, ``.binpb``).
    validate : bool
        Also run semantic validation (as ``cpsf validate``), with problems placed on
        their file and line. Warnings are issued as :class:`cpsf.ScenarioWarning`.
    max_file_bytes : int, optional
        Refuse files larger than this (default 1 GiB, as the command line).
    library : str or path-like, optional
        An attack-step library file (a ``StepLibrary`` in any of the three formats),
        applied over the scenario's own ``library`` as ``--library FILE`` is on the
        command line (docs/library.md). The scenario returned holds the result in its
        ``library`` field, so every run, comparison and portfolio of it uses it.

    Returns
    -------
    Scenario
        With ``source`` set to `path` and ``files`` to every file read.

    Raises
    ------
    ScenarioFileError
        The file is missing, a directory, unreadable or too large (also an OSError).
    ScenarioError
        The content is wrong; ``.problems`` name the file, line, column and entity.

    Examples
    --------
    >>> import cpsf
    >>> s = cpsf.load(cpsf.DEFAULT_SCENARIO)
    >>> s.name
    'Automotive supply chain (default)'
    >>> len(s.assets), len(s.relations) > 0
    (49, True)
    """
    path = _check.path("path", path)
    validate = _check.flag("validate", validate)
    limit = (_core.scenario.default_max_file_bytes if max_file_bytes is None
             else _check.integer("max_file_bytes", max_file_bytes, "file_bytes"))
    library = "" if library is None else _check.path("library", library)
    status, data, diagnostics, files = _core.scenario.load(path, limit, validate, library)
    problems = [Problem._from_core(t) for t in diagnostics]
    if status == "io_error":
        raise ScenarioFileError(problems, f"cannot read {path}")
    if status != "ok" or data is None:
        raise ScenarioError(problems, f"{path} is invalid ({sum(p.is_error for p in problems)} errors)")
    _warn(_raise_for(problems, path))
    scenario = Scenario.from_bytes(data)
    object.__setattr__(scenario, "source", path)
    object.__setattr__(scenario, "files", list(files))
    return scenario


def validate(scenario: Union[Scenario, v1.Scenario, PathLike], *, strict: bool = False) -> List[Problem]:
    """Validate a scenario or a scenario file, as ``cpsf validate`` does.

    Returns the warnings; raises :class:`cpsf.ScenarioError` on errors (with `strict`,
    on warnings too). For a file, problems carry its name, line and column.

    Examples
    --------
    >>> import cpsf
    >>> cpsf.validate(cpsf.DEFAULT_SCENARIO)
    []
    """
    strict = _check.flag("strict", strict)
    if isinstance(scenario, v1.Scenario):
        scenario = Scenario(scenario)
    if isinstance(scenario, Scenario):
        return scenario.validate(strict=strict)
    if not isinstance(scenario, (str, os.PathLike)):
        raise TypeError(f"validate() takes a Scenario, a cpsf.v1.Scenario or a path, not {type(scenario).__name__}")
    path = _check.path("scenario", scenario)
    status, _, diagnostics, _ = _core.scenario.load(path, _core.scenario.default_max_file_bytes, True)
    problems = [Problem._from_core(t) for t in diagnostics]
    if status == "io_error":
        raise ScenarioFileError(problems, f"cannot read {path}")
    if status != "ok":
        raise ScenarioError(problems, f"{path} is invalid")
    return _raise_for(problems, path, strict)


def generate(**options: Any) -> Scenario:
    """A synthetic supply chain of a given size and shape, as ``cpsf generate`` writes it.

    Keyword arguments are those of ``cpsf generate`` (``enterprises``,
    ``assets_per_enterprise``, ``relations_per_asset``, ``cross_share``, ``ot_share``,
    ``entry_share``, ``entry_probability``, ``p_min``, ``p_max``, ``ttc_min``,
    ``ttc_max``, ``fan_out``, ``horizon``, ``trials``, ``seed``, ``relation_ids``).
    The same seed gives the same chain anywhere. Counts (``enterprises``, ``trials``,
    ...) take ints, shares and probabilities numbers in [0, 1]; a wrong type raises
    TypeError, a value out of range ValueError (the limits of ``cpsf generate``).

    Examples
    --------
    >>> import cpsf
    >>> s = cpsf.generate(enterprises=3, assets_per_enterprise=20, seed=5)
    >>> len(s.enterprises), len(s.assets)
    (3, 60)
    >>> s == cpsf.generate(enterprises=3, assets_per_enterprise=20, seed=5)
    True
    """
    checked = {}
    for name, value in options.items():
        kind = _GENERATE_OPTIONS.get(name)
        if kind is None:
            raise TypeError(f"generate() got an unexpected keyword {name!r} (options: {', '.join(_GENERATE_OPTIONS)})")
        if value is None and name == "horizon":
            continue
        checked[name] = kind(name, value)
    return Scenario.from_bytes(_core.scenario.generate(**checked))


# generate()'s options and their checks: the engine's limits for each (GenerateOptions).
_GENERATE_OPTIONS = {
    "enterprises": lambda n, v: _check.integer(n, v, "enterprises"),
    "assets_per_enterprise": lambda n, v: _check.integer(n, v, "assets_per_enterprise"),
    "relations_per_asset": lambda n, v: _check.number(n, v, "relations_per_asset"),
    "cross_share": lambda n, v: _check.number(n, v, "share"),
    "ot_share": lambda n, v: _check.number(n, v, "share"),
    "entry_share": lambda n, v: _check.number(n, v, "share"),
    "entry_probability": lambda n, v: _check.number(n, v, "share"),
    "p_min": lambda n, v: _check.number(n, v, "share"),
    "p_max": lambda n, v: _check.number(n, v, "share"),
    "ttc_min": lambda n, v: _check.number(n, v, "ttc"),
    "ttc_max": lambda n, v: _check.number(n, v, "ttc"),
    "fan_out": lambda n, v: _check.integer(n, v, "fan_out"),
    "horizon": lambda n, v: _check.number(n, v, "horizon"),
    "trials": lambda n, v: _check.integer(n, v, "trials"),
    "seed": lambda n, v: _check.integer(n, v, "seed"),
    "relation_ids": _check.flag,
}
