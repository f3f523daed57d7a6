"""The two PKCS#11 calls python-pkcs11 0.10 does not expose, through ctypes.

* ``C_GetTokenInfo`` in full: python-pkcs11's Token drops ulMinPinLen /
  ulMaxPinLen, which the PIN-length messages need.
* ``C_CloseAllSessions``: a failed ``Token.open(user_pin=...)`` leaves its
  session open (python-pkcs11 raises before it wraps the handle, so it can
  never be closed otherwise).  The leak counts against the token's session
  limit (many cards allow one) and, login state being per process and per
  token, any session left open keeps whatever login state the process has.

``dlopen`` of the same path returns the instance python-pkcs11 already
loaded, so these calls share its state.  Call only on the token thread.
"""
from __future__ import annotations

import ctypes as C

import pkcs11.exceptions as px

from app.token.info import TokenInfo

CK_RV = C.c_ulong
CKF_USER_PIN_COUNT_LOW = 0x00010000
CKF_USER_PIN_FINAL_TRY = 0x00020000
CKF_USER_PIN_LOCKED = 0x00040000
CKF_TOKEN_INITIALIZED = 0x00000400

# CK_FUNCTION_LIST order (PKCS#11 2.40, section 5.14); only the head is needed.
_HEAD = ["C_Initialize", "C_Finalize", "C_GetInfo", "C_GetFunctionList", "C_GetSlotList",
         "C_GetSlotInfo", "C_GetTokenInfo", "C_GetMechanismList", "C_GetMechanismInfo",
         "C_InitToken", "C_InitPIN", "C_SetPIN", "C_OpenSession", "C_CloseSession",
         "C_CloseAllSessions"]


_ERRORS = {  # the return values C_GetTokenInfo gives for a missing token
    0x03: px.SlotIDInvalid, 0x05: px.GeneralError, 0x30: px.DeviceError,
    0x32: px.DeviceRemoved, 0xE0: px.TokenNotPresent, 0xE1: px.TokenNotRecognised,
}


def map_rv_to_error(rv: int) -> px.PKCS11Error:
    cls = _ERRORS.get(rv)
    return cls() if cls else px.PKCS11Error(f"CKR 0x{rv:08x}")


class _FunctionList(C.Structure):
    _fields_ = [("version", C.c_ubyte * 2)] + [(n, C.c_void_p) for n in _HEAD]


class _TokenInfo(C.Structure):
    _fields_ = [
        ("label", C.c_char * 32), ("manufacturerID", C.c_char * 32),
        ("model", C.c_char * 16), ("serialNumber", C.c_char * 16),
        ("flags", C.c_ulong), ("ulMaxSessionCount", C.c_ulong),
        ("ulSessionCount", C.c_ulong), ("ulMaxRwSessionCount", C.c_ulong),
        ("ulRwSessionCount", C.c_ulong), ("ulMaxPinLen", C.c_ulong),
        ("ulMinPinLen", C.c_ulong), ("ulTotalPublicMemory", C.c_ulong),
        ("ulFreePublicMemory", C.c_ulong), ("ulTotalPrivateMemory", C.c_ulong),
        ("ulFreePrivateMemory", C.c_ulong), ("hardwareVersion", C.c_ubyte * 2),
        ("firmwareVersion", C.c_ubyte * 2), ("utcTime", C.c_char * 16),
    ]


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip(" \0")


class RawModule:
    def __init__(self, path: str) -> None:
        self._dll = C.CDLL(path)
        get = self._dll.C_GetFunctionList
        get.restype = CK_RV
        get.argtypes = [C.POINTER(C.POINTER(_FunctionList))]
        fl = C.POINTER(_FunctionList)()
        rv = get(C.byref(fl))
        if rv:
            raise map_rv_to_error(rv)
        f = fl.contents
        self._get_token_info = C.CFUNCTYPE(CK_RV, C.c_ulong, C.POINTER(_TokenInfo))(f.C_GetTokenInfo)
        self._close_all = C.CFUNCTYPE(CK_RV, C.c_ulong)(f.C_CloseAllSessions)

    def token_info(self, slot_id: int) -> TokenInfo | None:
        """The token in ``slot_id``; None if it is not initialised.

        Raises the python-pkcs11 exception for the return value otherwise
        (e.g. TokenNotPresent, or GeneralError from SoftHSM once the token's
        directory is gone).
        """
        ti = _TokenInfo()
        rv = self._get_token_info(slot_id, C.byref(ti))
        if rv:
            raise map_rv_to_error(rv)
        if not ti.flags & CKF_TOKEN_INITIALIZED:
            return None
        return TokenInfo(
            serial=_text(ti.serialNumber), label=_text(ti.label),
            manufacturer=_text(ti.manufacturerID), model=_text(ti.model),
            pin_min=ti.ulMinPinLen, pin_max=ti.ulMaxPinLen,
            user_pin_count_low=bool(ti.flags & CKF_USER_PIN_COUNT_LOW),
            user_pin_final_try=bool(ti.flags & CKF_USER_PIN_FINAL_TRY),
            user_pin_locked=bool(ti.flags & CKF_USER_PIN_LOCKED),
        )

    def close_all_sessions(self, slot_id: int) -> None:
        """Close every session of this process on the slot (errors ignored)."""
        self._close_all(slot_id)
