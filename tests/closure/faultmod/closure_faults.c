/*
 * PKCS#11 module wrapping SoftHSM for the closure tests: the PIN states
 * SoftHSM never reaches (it never blocks a PIN).  Same pattern as
 * tests/token/faultmod/fault_pkcs11.c, but telling user from security
 * officer.  The real module is $SIGNPOST_FAULT_REAL_MODULE; switches are
 * files in $SIGNPOST_CLOSURE_FAULT_DIR, looked up at every call:
 *
 *   user_pin_locked   C_Login(CKU_USER) / C_SetPIN give CKR_PIN_LOCKED and the
 *                     token info gains CKF_USER_PIN_LOCKED, until a successful
 *                     C_InitPIN (the SO reset) deletes the switch, as a card does
 *   so_pin_locked     C_Login(CKU_SO) gives CKR_PIN_LOCKED, info CKF_SO_PIN_LOCKED
 *   so_pin_final_try  token info gains CKF_SO_PIN_FINAL_TRY
 *   pin_invalid       C_SetPIN / C_InitPIN give CKR_PIN_INVALID (the token's
 *                     own rules refuse the new PIN's characters)
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef unsigned long CK_ULONG, CK_RV, CK_SLOT_ID, CK_SESSION_HANDLE, CK_FLAGS;
typedef unsigned char CK_BYTE;
typedef struct { CK_BYTE major, minor; } CK_VERSION;

#define N_FUNCTIONS 68
typedef struct { CK_VERSION version; void *fn[N_FUNCTIONS]; } FUNCTION_LIST;
enum { I_GetTokenInfo = 6, I_InitPIN = 10, I_SetPIN = 11, I_Login = 18 };

#define CKR_OK 0x00UL
#define CKR_GENERAL_ERROR 0x05UL
#define CKR_PIN_INVALID 0xA1UL
#define CKR_PIN_LOCKED 0xA4UL
#define CKU_SO 0UL
#define CKU_USER 1UL
#define CKF_USER_PIN_LOCKED 0x00040000UL
#define CKF_SO_PIN_FINAL_TRY 0x00200000UL
#define CKF_SO_PIN_LOCKED 0x00400000UL

typedef struct { CK_BYTE label[32], manufacturer[32], model[16], serial[16]; CK_FLAGS flags; } TOKEN_INFO_HEAD;

static FUNCTION_LIST real_copy, ours;
static void *real_handle;

static void switch_path(const char *name, char *path) {
  const char *dir = getenv("SIGNPOST_CLOSURE_FAULT_DIR");
  snprintf(path, PATH_MAX, "%s/%s", dir ? dir : "/nonexistent", name);
}
static int fault(const char *name) {
  char path[PATH_MAX];
  switch_path(name, path);
  return access(path, F_OK) == 0;
}

#define REAL(idx, type) ((type)real_copy.fn[idx])

typedef CK_RV (*tokeninfo_t)(CK_SLOT_ID, TOKEN_INFO_HEAD *);
static CK_RV f_GetTokenInfo(CK_SLOT_ID slot, TOKEN_INFO_HEAD *info) {
  CK_RV rv = REAL(I_GetTokenInfo, tokeninfo_t)(slot, info);
  if (rv != CKR_OK) return rv;
  if (fault("user_pin_locked")) info->flags |= CKF_USER_PIN_LOCKED;
  if (fault("so_pin_locked")) info->flags |= CKF_SO_PIN_LOCKED;
  if (fault("so_pin_final_try")) info->flags |= CKF_SO_PIN_FINAL_TRY;
  return rv;
}

typedef CK_RV (*login_t)(CK_SESSION_HANDLE, CK_ULONG, CK_BYTE *, CK_ULONG);
static CK_RV f_Login(CK_SESSION_HANDLE h, CK_ULONG user, CK_BYTE *pin, CK_ULONG len) {
  if (user == CKU_USER && fault("user_pin_locked")) return CKR_PIN_LOCKED;
  if (user == CKU_SO && fault("so_pin_locked")) return CKR_PIN_LOCKED;
  return REAL(I_Login, login_t)(h, user, pin, len);
}

typedef CK_RV (*setpin_t)(CK_SESSION_HANDLE, CK_BYTE *, CK_ULONG, CK_BYTE *, CK_ULONG);
static CK_RV f_SetPIN(CK_SESSION_HANDLE h, CK_BYTE *o, CK_ULONG ol, CK_BYTE *n, CK_ULONG nl) {
  if (fault("user_pin_locked")) return CKR_PIN_LOCKED;
  if (fault("pin_invalid")) return CKR_PIN_INVALID;
  return REAL(I_SetPIN, setpin_t)(h, o, ol, n, nl);
}

typedef CK_RV (*initpin_t)(CK_SESSION_HANDLE, CK_BYTE *, CK_ULONG);
static CK_RV f_InitPIN(CK_SESSION_HANDLE h, CK_BYTE *pin, CK_ULONG len) {
  char path[PATH_MAX];
  CK_RV rv;
  if (fault("pin_invalid")) return CKR_PIN_INVALID;
  rv = REAL(I_InitPIN, initpin_t)(h, pin, len);
  if (rv == CKR_OK) { switch_path("user_pin_locked", path); unlink(path); }
  return rv;
}

typedef CK_RV (*getlist_t)(FUNCTION_LIST **);
CK_RV C_GetFunctionList(FUNCTION_LIST **out) {
  if (!out) return 0x07UL;
  if (!real_handle) {
    const char *path = getenv("SIGNPOST_FAULT_REAL_MODULE");
    FUNCTION_LIST *real;
    getlist_t get;
    if (!path || !(real_handle = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
      fprintf(stderr, "closure_faults: cannot load $SIGNPOST_FAULT_REAL_MODULE: %s\n",
              path ? dlerror() : "unset");
      return CKR_GENERAL_ERROR;
    }
    get = (getlist_t)dlsym(real_handle, "C_GetFunctionList");
    if (!get || get(&real) != CKR_OK) return CKR_GENERAL_ERROR;
    memcpy(&real_copy, real, sizeof real_copy);
    ours = real_copy;
    ours.fn[I_GetTokenInfo] = (void *)f_GetTokenInfo;
    ours.fn[I_Login] = (void *)f_Login;
    ours.fn[I_SetPIN] = (void *)f_SetPIN;
    ours.fn[I_InitPIN] = (void *)f_InitPIN;
  }
  *out = &ours;
  return CKR_OK;
}
