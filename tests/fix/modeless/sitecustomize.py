"""A filesystem without Unix modes, as `stat` shows it (WSL's /mnt/c without `metadata`, a
vfat/exFAT USB disk, an SMB share mounted with file_mode=0777): every file and directory
under MODELESS_ROOT reads back 0777 whatever chmod or open() asked (chmod succeeds and
changes nothing). `fstat` too: drift reads its mode probe from the descriptor (revown35 F1),
whose path is /proc/self/fd/N's link."""

import os
import stat as _stat

_ROOT = os.environ.get("MODELESS_ROOT", "")
_real = os.stat
_real_fstat = os.fstat


def _fstat_modeless(fd, *args, **kwargs):  # type: ignore[no-untyped-def]
    info = _real_fstat(fd, *args, **kwargs)
    try:
        name = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return info
    return _modeless(name, info)


def _stat_modeless(path, *args, **kwargs):  # type: ignore[no-untyped-def]
    info = _real(path, *args, **kwargs)
    try:
        name = os.fspath(path)
    except TypeError:
        return info
    return _modeless(name, info)


def _modeless(name, info):  # type: ignore[no-untyped-def]
    if _ROOT and isinstance(name, str) and os.path.abspath(name).startswith(_ROOT):
        fields = list(info)
        fields[0] = _stat.S_IFMT(info.st_mode) | 0o777
        extra = {
            k: getattr(info, k)
            for k in (
                "st_atime",
                "st_mtime",
                "st_ctime",
                "st_atime_ns",
                "st_mtime_ns",
                "st_ctime_ns",
                "st_blksize",
                "st_blocks",
                "st_rdev",
            )
            if hasattr(info, k)
        }
        return os.stat_result(fields, extra)
    return info


os.stat = _stat_modeless
os.fstat = _fstat_modeless
