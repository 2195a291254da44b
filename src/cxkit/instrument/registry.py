"""Finding, loading, listing and checking instruments.

The registry is the folder ``instruments/`` at the top of the repository (or the folder named by the
environment variable ``CXKIT_INSTRUMENTS``): one folder per instrument id, one file per version
(``instruments/online-cx/1.0.0.yaml``), a ``CHANGELOG.md`` per instrument, and ``registry.lock``, which
holds the sha256 of every released file. A released file never changes: loading one whose bytes no
longer match the lock raises :class:`~cxkit.errors.RegistryError`, and so does ``cxkit instruments check``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import warnings
from pathlib import Path

import pandas as pd

from cxkit._io import write_text
from cxkit.errors import InstrumentError, InstrumentWarning, RegistryError, RenderError
from cxkit.instrument._yaml import read_yaml
from cxkit.instrument.diff import bump_covers, diff, required_bump
from cxkit.instrument.model import Instrument
from cxkit.instrument.validate import parse_spec, version_key

LOCK_NAME = "registry.lock"


def instruments_dir() -> Path:
    """The registry folder: ``$CXKIT_INSTRUMENTS`` or the repository's ``instruments/``."""
    env = os.environ.get("CXKIT_INSTRUMENTS")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "instruments"
        if (candidate / LOCK_NAME).is_file():
            return candidate
    return here.parents[3] / "instruments"


def sha256_bytes(raw: bytes) -> str:
    """Hex sha256 of a file's bytes (the identity of a released instrument)."""
    return hashlib.sha256(raw).hexdigest()


_SHA = re.compile(r"^[0-9a-f]{64}$")
_VERSION_STEM = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")
_ID_DIR = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def read_lock(root: Path | None = None) -> dict[str, dict[str, str]]:
    """``ref`` → ``{"file": ..., "sha256": ...}`` from ``registry.lock`` (empty if there is none).

    Raises
    ------
    RegistryError
        The lock is not JSON, has no ``instruments`` mapping, or an entry is not
        ``{"file": "<id>/<version>.yaml", "sha256": "<64 hex digits>"}`` for an ``id@version`` key.
    """
    root = instruments_dir() if root is None else Path(root)
    path = root / LOCK_NAME
    if not path.exists():
        return {}
    if not path.is_file():
        raise RegistryError("is not a file; registry.lock is a JSON file", file=str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["instruments"]
        if not isinstance(entries, dict):
            raise TypeError(f"'instruments' is a {type(entries).__name__}, not a mapping")
    except OSError as exc:
        raise RegistryError(f"cannot be read ({exc.strerror})", file=str(path)) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise RegistryError(
            f"cannot be read ({exc}); it is JSON with an 'instruments' mapping", file=str(path)
        ) from None
    out: dict[str, dict[str, str]] = {}
    for ref, entry in entries.items():
        ident, _, version = str(ref).partition("@")
        ok = (
            isinstance(entry, dict)
            and isinstance(entry.get("sha256"), str)
            and _SHA.match(entry["sha256"])
            and isinstance(entry.get("file"), str)
            and _ID_DIR.match(ident)
            and _VERSION_STEM.match(version)
        )
        if not ok:
            raise RegistryError(
                f"the entry {str(ref)[:80]!r} is malformed ({str(entry)[:80]}); each entry is "
                '"id@version": {"file": "id/version.yaml", "sha256": "<64 hex digits>"}',
                file=str(path),
                field=f"instruments.{str(ref)[:80]}",
            )
        out[str(ref)] = {"file": entry["file"], "sha256": entry["sha256"]}
    return out


def _is_version_file(path: Path) -> bool:
    return path.is_file() and path.suffix == ".yaml" and bool(_VERSION_STEM.match(path.stem))


def stray_files(root: Path) -> list[Path]:
    """Entries of instrument folders that are not ``<version>.yaml`` files or ``CHANGELOG.md``
    and similar notes (a directory named ``1.0.0.yaml``, ``copy of 2.0.0.yaml``, ``1.0.yml``)."""
    out = []
    if root.is_dir():
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            for entry in sorted(folder.iterdir()):
                if entry.suffix in (".yaml", ".yml") and not _is_version_file(entry):
                    out.append(entry)
    return out


def _registry_files(root: Path) -> dict[str, Path]:
    files = {}
    if root.is_dir():
        for path in sorted(root.glob("*/*.yaml")):
            if _is_version_file(path) and _ID_DIR.match(path.parent.name):
                files[f"{path.parent.name}@{path.stem}"] = path
    return files


_CACHE: dict[tuple[str, str], Instrument] = {}


def _load_path(path: Path) -> Instrument:
    """Read and validate one file; parsed instruments are cached by path and sha256 of the bytes."""
    try:
        digest = sha256_bytes(Path(path).read_bytes())
    except OSError:
        digest = ""
    key = (str(path), digest)
    if digest and key in _CACHE:
        return _CACHE[key]
    data, node, raw = read_yaml(path)
    spec = parse_spec(data, node, file=path)
    instrument = Instrument.from_spec(spec, sha256=digest or sha256_bytes(raw), path=str(path))
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = instrument
    return instrument


def _versions(root: Path, ident: str) -> list[str]:
    return (
        sorted(
            (p.stem for p in (root / ident).glob("*.yaml") if _is_version_file(p)),
            key=version_key,
        )
        if (root / ident).is_dir()
        else []
    )


def _bump_matches(old: str, new: str, bump: str) -> bool:
    """Whether ``old`` → ``new`` is a bump of the declared kind (1.2.3 → 2.0.0 is major)."""
    a, b = version_key(old)[:3], version_key(new)[:3]
    if bump == "major":
        return b[0] > a[0]
    if bump == "minor":
        return b[0] == a[0] and b[1] > a[1]
    return b[:2] == a[:2] and b[2] > a[2]


def resolve(ref: str | os.PathLike, root: Path | None = None) -> Path:
    """The file behind ``id@version``, a bare ``id`` (newest released version) or a path."""
    root = instruments_dir() if root is None else Path(root)
    text = os.fspath(ref)
    candidate = Path(text)
    if text.endswith((".yaml", ".yml")) or os.sep in text or candidate.is_file():
        if candidate.is_dir():
            raise InstrumentError("is a folder, not an instrument file", file=text)
        if not candidate.is_file():
            raise InstrumentError("no such instrument file", file=text)
        return candidate
    ident, _, version = text.partition("@")
    known = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if ident not in known:
        import difflib

        close = difflib.get_close_matches(ident, known, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise InstrumentError(
            f"unknown instrument '{ident}'.{hint} Known instruments: {', '.join(known) or '(none)'}"
            f" (in {root}); a path to a .yaml file works too"
        )
    versions = _versions(root, ident)
    if version:
        if version not in versions:
            raise InstrumentError(
                f"{ident} has no version '{version}'; versions: {', '.join(versions)}"
            )
        return root / ident / f"{version}.yaml"
    lock = read_lock(root)
    released = [v for v in versions if f"{ident}@{v}" in lock]
    if not released:
        raise InstrumentError(
            f"{ident} has no released version yet; name a version explicitly ({', '.join(versions)})"
        )
    return root / ident / f"{released[-1]}.yaml"


def load_instrument(ref: str | os.PathLike) -> Instrument:
    """Load an instrument by ``id@version``, by bare ``id`` (newest released version) or by path.

    Parameters
    ----------
    ref : str or path
        ``"online-cx@1.0.0"``, ``"online-cx"`` or ``"path/to/file.yaml"``.

    Returns
    -------
    Instrument
        Immutable; ``.sha256`` is the hash of the file's bytes.

    Raises
    ------
    InstrumentError
        Unknown id or version (the message lists what exists), or a malformed file (file, line,
        field and what is accepted).
    RegistryError
        A released registry file whose bytes differ from ``instruments/registry.lock``.

    Examples
    --------
    >>> import cxkit
    >>> cxkit.load_instrument("online-cx@1.0.0").version
    '1.0.0'
    >>> cxkit.load_instrument("online-cx@9.9.9")
    Traceback (most recent call last):
    ...
    cxkit.errors.InstrumentError: online-cx has no version '9.9.9'; versions: 1.0.0, 2.0.0
    """
    root = instruments_dir()
    path = resolve(ref, root)
    instrument = _load_path(path)
    if check_against_lock(instrument, path, root) == MODIFIED:
        instrument = dataclasses.replace(instrument, status=MODIFIED)
    return instrument


def _in_registry(path: Path, root: Path) -> bool:
    """Whether ``path`` lies at ``<root>/<id>/<file>`` (as named, not where a symlink points)."""
    if not root.is_dir():
        return False
    where = Path(os.path.abspath(path)).parent.parent
    return where == Path(os.path.abspath(root)) or where.resolve() == root.resolve()


#: the status of a copy loaded by path that claims a released ref but differs from it
MODIFIED = "modified"


def check_against_lock(instrument: Instrument, path: Path, root: Path | None = None) -> str | None:
    """Check a loaded instrument against ``registry.lock``, whatever its ``status`` says.

    * A file of the registry (symlinks followed: the bytes are what count) whose place is locked
      must have the locked sha256, and a released one must be locked.
    * A file loaded by path from elsewhere that declares a locked ``id@version`` but is not a
      byte-identical copy is flagged: an :class:`~cxkit.errors.InstrumentWarning`, and
      :func:`load_instrument` gives it the status ``"modified"`` (shown by ``summary()``, listed in
      the provenance through its own sha256), so it never passes for the released version.

    Returns
    -------
    ``"modified"`` for such a copy, else None.

    Raises
    ------
    RegistryError
        A registry file that differs from its lock entry, or is released but not locked.
    """
    root = instruments_dir() if root is None else Path(root)
    lock = read_lock(root) if root.is_dir() else {}
    if _in_registry(path, root):
        expected = f"{path.parent.name}@{path.stem}"
        if instrument.ref != expected:
            raise InstrumentError(
                f"declares {instrument.ref} but lies at {expected}; a file's id and version must "
                "match its folder and name (instruments/<id>/<version>.yaml)",
                file=str(path),
            )
        entry = lock.get(expected)
        if entry is None:
            if instrument.status == "released":
                raise RegistryError(
                    f"{instrument.ref} is released but not in {LOCK_NAME}; run 'cxkit instruments lock'",
                    file=str(path),
                )
            return None
        if entry["sha256"] != instrument.sha256:
            raise RegistryError(
                f"{instrument.ref} is released and must not change (it is in {LOCK_NAME}), but its "
                f"sha256 is {instrument.sha256[:12]}… where {LOCK_NAME} holds {entry['sha256'][:12]}…"
                f"{' (the file now says status: ' + instrument.status + ')' if instrument.status != 'released' else ''}"
                f"{' (it is a symbolic link to ' + str(path.resolve()) + ')' if path.is_symlink() else ''}; "
                "undo the edit and put the change in a new version",
                file=str(path),
            )
        return None
    entry = lock.get(instrument.ref)
    if entry is not None and entry["sha256"] != instrument.sha256:
        warnings.warn(
            f"{path}: declares {instrument.ref}, a released version (in {root / LOCK_NAME} with "
            f"sha256 {entry['sha256'][:12]}…), but its bytes differ (sha256 "
            f"{instrument.sha256[:12]}…): it is loaded as a modified copy (status 'modified'); "
            "give an edited copy a new version (e.g. a -draft pre-release) and status: draft",
            InstrumentWarning,
            stacklevel=3,
        )
        return MODIFIED
    return None


def list_instruments() -> pd.DataFrame:
    """Every instrument version in the registry.

    Returns
    -------
    DataFrame
        Columns ``id, version, status, title, n_items, sha256``, sorted by id and version.

    Examples
    --------
    >>> import cxkit
    >>> df = cxkit.list_instruments()
    >>> list(df.columns)
    ['id', 'version', 'status', 'title', 'n_items', 'sha256']
    >>> "online-cx" in set(df["id"])
    True
    """
    rows = []
    for path in _registry_files(instruments_dir()).values():
        ins = load_instrument(path)
        rows.append(
            {
                "id": ins.id,
                "version": ins.version,
                "status": ins.status,
                "title": ins.text("title", ins.languages[0]),
                "n_items": len(ins.items),
                "sha256": ins.sha256,
            }
        )
    df = pd.DataFrame(rows, columns=["id", "version", "status", "title", "n_items", "sha256"])
    if len(df):
        df["_k"] = df["version"].map(version_key)
        df = df.sort_values(["id", "_k"]).drop(columns="_k").reset_index(drop=True)
    return df


def check_registry(root: Path | None = None) -> pd.DataFrame:
    """Check every file of the registry; one row per instrument version.

    Each file must validate, lie at ``<id>/<version>.yaml``, match its sha256 in the lock when it is
    released, and — when it is not its instrument's first version — declare ``changes`` from an
    existing earlier version with a comparability entry for every construct the two share. Every
    locked entry must still have its file.

    Returns
    -------
    DataFrame
        Columns ``ref, status, sha256, locked, ok, problem`` (``problem`` empty when ``ok``).
    """
    root = instruments_dir() if root is None else Path(root)
    if not root.is_dir():
        raise RegistryError(
            "the registry folder does not exist"
            + (" (named by CXKIT_INSTRUMENTS)" if os.environ.get("CXKIT_INSTRUMENTS") else "")
            + "; it holds <id>/<version>.yaml files and registry.lock",
            file=str(root),
        )
    lock = read_lock(root)
    files = _registry_files(root)
    rows = []
    loaded: dict[str, Instrument] = {}
    for stray in stray_files(root):
        rows.append(
            {
                "ref": f"{stray.parent.name}/{stray.name}",
                "status": "?",
                "sha256": "",
                "locked": False,
                "ok": False,
                "problem": (
                    "a folder named like an instrument file"
                    if stray.is_dir()
                    else "not a version file: instrument files are named <version>.yaml (1.0.0.yaml)"
                )
                + "; move it out of the registry",
            }
        )
    for ref, path in files.items():
        problem, ins = "", None
        try:
            sha = sha256_bytes(path.read_bytes())
        except OSError as exc:
            sha, problem = "", f"cannot be read ({exc.strerror})"
        try:
            if not problem:
                ins = _load_path(path)
                loaded[ref] = ins
        except InstrumentError as exc:
            problem = str(exc)
        if ins is not None:
            if ins.ref != ref:
                problem = f"declares {ins.ref} but lies at {ref}"
            elif ins.status == "released" and ref not in lock:
                problem = f"released but not in {LOCK_NAME} (run 'cxkit instruments lock')"
            elif ref in lock and lock[ref]["sha256"] != sha:
                problem = (
                    f"edited after release: sha256 {sha[:12]}… but {LOCK_NAME} holds "
                    f"{lock[ref]['sha256'][:12]}…"
                )
            elif ref in lock and ins.status != "released":
                problem = f"locked in {LOCK_NAME} but its status is '{ins.status}'"
        rows.append(
            {
                "ref": ref,
                "status": ins.status if ins else "?",
                "sha256": sha,
                "locked": ref in lock,
                "ok": not problem,
                "problem": problem,
            }
        )
    # version chains: changes declared against an earlier version
    for ref, ins in loaded.items():
        versions = _versions(root, ins.id)
        earlier = [v for v in versions if version_key(v) < version_key(ins.version)]
        ch = ins.spec.changes
        problem = ""
        if earlier and ch is None:
            problem = f"not the first version of {ins.id}: declare 'changes' from {earlier[-1]}"
        elif ch is not None:
            prev = loaded.get(f"{ins.id}@{ch.previous}")
            if prev is None:
                problem = f"changes.previous {ch.previous} is not a valid version of {ins.id}"
            else:
                shared = [c for c in ins.construct_info if c in prev.construct_info]
                missing = [c for c in shared if c not in ch.comparability]
                required = required_bump(diff(prev, ins))
                if missing:
                    problem = (
                        f"changes.comparability must say for every construct shared with "
                        f"{prev.ref} whether scores stay comparable; missing: {', '.join(missing)}"
                    )
                elif not bump_covers(ch.bump, required):
                    problem = (
                        f"the item changes from {prev.ref} need at least a {required} version "
                        f"bump, but changes.bump says {ch.bump}"
                    )
                elif not _bump_matches(prev.version, ins.version, ch.bump):
                    problem = f"{prev.version} → {ins.version} is not a {ch.bump} version bump"
        if problem:
            for row in rows:
                if row["ref"] == ref and row["ok"]:
                    row["ok"], row["problem"] = False, problem
    for ref in lock:
        if ref not in files:
            rows.append(
                {
                    "ref": ref,
                    "status": "released",
                    "sha256": lock[ref]["sha256"],
                    "locked": True,
                    "ok": False,
                    "problem": f"in {LOCK_NAME} but its file {lock[ref]['file']} is gone",
                }
            )
    return pd.DataFrame(rows, columns=["ref", "status", "sha256", "locked", "ok", "problem"])


def lock_released(root: Path | None = None) -> list[str]:
    """Add every released file that is not yet in ``registry.lock``; never change an existing entry.

    Returns the refs that were added. Files that do not validate are not locked.
    """
    root = instruments_dir() if root is None else Path(root)
    lock = read_lock(root)
    added = []
    for ref, path in _registry_files(root).items():
        if ref in lock:
            continue
        ins = _load_path(path)
        if ins.status == "released" and ins.ref == ref:
            lock[ref] = {"file": f"{path.parent.name}/{path.name}", "sha256": ins.sha256}
            added.append(ref)
    if added:
        payload = {
            "comment": "sha256 of every released instrument file; entries are added, never changed",
            "instruments": dict(sorted(lock.items())),
        }
        try:
            write_text(root / LOCK_NAME, json.dumps(payload, indent=2) + "\n")
        except RenderError as exc:
            raise RegistryError(exc.message, file=exc.file) from None
    return added
