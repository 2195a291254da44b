"""Finding, loading, listing and checking instruments.

The registry is the folder ``instruments/`` at the top of the repository (or the folder named by the
environment variable ``CXKIT_INSTRUMENTS``; an installed wheel carries a copy as ``cxkit/_instruments``): one folder per instrument id, one file per version
(``instruments/online-cx/1.0.0.yaml``), a ``CHANGELOG.md`` per instrument, and ``registry.lock``, which
holds the sha256 of every released file. A released file never changes: loading one whose bytes no
longer match the lock raises :class:`~cxkit.errors.RegistryError`, and so does ``cxkit instruments check``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd

from cxkit.errors import InstrumentError, RegistryError
from cxkit.instrument._yaml import read_yaml
from cxkit.instrument.diff import bump_covers, diff, required_bump
from cxkit.instrument.model import Instrument
from cxkit.instrument.validate import parse_spec, version_key

LOCK_NAME = "registry.lock"


#: Where a built wheel carries its copy of the repository's ``instruments/`` (see ``setup.py``).
PACKAGED = Path(__file__).resolve().parents[1] / "_instruments"


def instruments_dir() -> Path:
    """The registry folder.

    In this order: the folder named by ``$CXKIT_INSTRUMENTS``; the copy a regular install
    (``pip install .``, a wheel) carries inside the package, ``cxkit/_instruments``; the repository's
    ``instruments/`` above the source tree (an editable install reads the working tree's files).
    """
    env = os.environ.get("CXKIT_INSTRUMENTS")
    if env:
        return Path(env)
    if (PACKAGED / LOCK_NAME).is_file():
        return PACKAGED
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "instruments"
        if (candidate / LOCK_NAME).is_file():
            return candidate
    return here.parents[3] / "instruments"


def sha256_bytes(raw: bytes) -> str:
    """Hex sha256 of a file's bytes (the identity of a released instrument)."""
    return hashlib.sha256(raw).hexdigest()


def read_lock(root: Path | None = None) -> dict[str, dict[str, str]]:
    """``ref`` → ``{"file": ..., "sha256": ...}`` from ``registry.lock`` (empty if there is none)."""
    root = instruments_dir() if root is None else Path(root)
    path = root / LOCK_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(data["instruments"])
    except (ValueError, KeyError, TypeError) as exc:
        raise RegistryError(
            f"cannot be read ({exc}); it is JSON with an 'instruments' mapping", file=str(path)
        ) from None


def _registry_files(root: Path) -> dict[str, Path]:
    files = {}
    if root.is_dir():
        for path in sorted(root.glob("*/*.yaml")):
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
        sorted((p.stem for p in (root / ident).glob("*.yaml")), key=version_key)
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
    cxkit.errors.InstrumentError: online-cx has no version '9.9.9'; versions: 1.0.0, 2.0.0, 3.0.0
    """
    root = instruments_dir()
    path = resolve(ref, root)
    instrument = _load_path(path)
    in_registry = root.is_dir() and path.resolve().parent.parent == root.resolve()
    if in_registry:
        expected = f"{path.parent.name}@{path.stem}"
        if instrument.ref != expected:
            raise InstrumentError(
                f"declares {instrument.ref} but lies at {expected}; a file's id and version must "
                "match its folder and name (instruments/<id>/<version>.yaml)",
                file=str(path),
            )
        if instrument.status == "released":
            entry = read_lock(root).get(instrument.ref)
            if entry is None:
                raise RegistryError(
                    f"{instrument.ref} is released but not in {LOCK_NAME}; run 'cxkit instruments lock'",
                    file=str(path),
                )
            if entry["sha256"] != instrument.sha256:
                raise RegistryError(
                    f"{instrument.ref} is released and must not change, but its sha256 is "
                    f"{instrument.sha256[:12]}… where {LOCK_NAME} holds {entry['sha256'][:12]}…; "
                    "undo the edit and put the change in a new version",
                    file=str(path),
                )
    return instrument


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
    lock = read_lock(root)
    files = _registry_files(root)
    rows = []
    loaded: dict[str, Instrument] = {}
    for ref, path in files.items():
        problem, ins, sha = "", None, sha256_bytes(path.read_bytes())
        try:
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
        (root / LOCK_NAME).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return added
