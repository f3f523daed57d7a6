/*
 * Fault-injecting PKCS#11 module for the Signpost token tests.
 *
 * Exports C_GetFunctionList only.  On first use it dlopens the real module
 * named by $SIGNPOST_FAULT_REAL_MODULE, copies its function list and
 * overrides a few entries.  Switches are files in $SIGNPOST_FAULT_DIR,
 * looked up at every call:
 *
 *   removed             no token is present: C_GetSlotList(tokenPresent)
 *                       omits every slot, C_GetSlotInfo clears
 *                       CKF_TOKEN_PRESENT, C_GetTokenInfo / C_OpenSession give
 *                       CKR_TOKEN_NOT_PRESENT, session calls CKR_DEVICE_REMOVED
 *   pin_locked          C_Login / C_SetPIN give CKR_PIN_LOCKED, token info
 *                       gains CKF_USER_PIN_LOCKED
 *   pin_final_try       token info gains CKF_USER_PIN_FINAL_TRY
 *   pin_count_low       token info gains CKF_USER_PIN_COUNT_LOW
 *   remove_during_sign  C_Sign / C_SignUpdate / C_SignFinal create `removed`
 *                       and give CKR_DEVICE_REMOVED
 *   one_session         like many smartcards, allow one open session at a
 *                       time (CKR_SESSION_COUNT), so a leaked session shows
 *
 * Self-contained (no pkcs11.h): only the types and the function-list slots
 * used here are declared, by their index in CK_FUNCTION_LIST (PKCS#11 2.40).
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef unsigned long CK_ULONG, CK_RV, CK_SLOT_ID, CK_SESSION_HANDLE, CK_FLAGS;
typedef unsigned char CK_BYTE, CK_BBOOL;
typedef struct { CK_BYTE major, minor; } CK_VERSION;

#define N_FUNCTIONS 68 /* C_Initialize .. C_WaitForSlotEvent */
/* Indices checked with offsetof() against p11-kit's pkcs11.h. */
typedef struct { CK_VERSION version; void *fn[N_FUNCTIONS]; } FUNCTION_LIST;

enum { I_Finalize = 1, I_GetSlotList = 4, I_GetSlotInfo = 5, I_GetTokenInfo = 6, I_SetPIN = 11,
       I_OpenSession = 12, I_CloseSession = 13, I_CloseAllSessions = 14, I_GetSessionInfo = 15, I_Login = 18, I_Logout = 19,
       I_GetAttributeValue = 24, I_FindObjectsInit = 26, I_DecryptInit = 33,
       I_Decrypt = 34, I_SignInit = 42, I_Sign = 43, I_SignUpdate = 44,
       I_SignFinal = 45 };

#define CKR_OK 0x00UL
#define CKR_GENERAL_ERROR 0x05UL
#define CKR_DEVICE_REMOVED 0x32UL
#define CKR_PIN_LOCKED 0xA4UL
#define CKR_SESSION_COUNT 0xB1UL
#define CKR_TOKEN_NOT_PRESENT 0xE0UL
#define CKF_TOKEN_PRESENT 0x01UL
#define CKF_USER_PIN_COUNT_LOW 0x00010000UL
#define CKF_USER_PIN_FINAL_TRY 0x00020000UL
#define CKF_USER_PIN_LOCKED 0x00040000UL

typedef struct { /* CK_SLOT_INFO */
  CK_BYTE description[64], manufacturer[32]; CK_FLAGS flags; CK_VERSION hw, fw;
} SLOT_INFO;
typedef struct { /* CK_TOKEN_INFO, up to flags */
  CK_BYTE label[32], manufacturer[32], model[16], serial[16]; CK_FLAGS flags;
} TOKEN_INFO_HEAD;

static FUNCTION_LIST real_copy, ours;
static void *real_handle;
static long open_sessions; /* sessions this process has open, all slots */

static int fault(const char *name) {
  const char *dir = getenv("SIGNPOST_FAULT_DIR");
  char path[PATH_MAX];
  if (!dir) return 0;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return access(path, F_OK) == 0;
}

static void set_fault(const char *name) {
  const char *dir = getenv("SIGNPOST_FAULT_DIR");
  char path[PATH_MAX];
  int fd;
  if (!dir) return;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  fd = open(path, O_CREAT | O_WRONLY, 0600);
  if (fd >= 0) close(fd);
}

#define REAL(idx, type) ((type)real_copy.fn[idx])
#define GONE_IN_SESSION() do { if (fault("removed")) return CKR_DEVICE_REMOVED; } while (0)

typedef CK_RV (*slotlist_t)(CK_BBOOL, CK_SLOT_ID *, CK_ULONG *);
static CK_RV f_GetSlotList(CK_BBOOL present, CK_SLOT_ID *list, CK_ULONG *count) {
  if (present && fault("removed")) { if (count) *count = 0; return CKR_OK; }
  return REAL(I_GetSlotList, slotlist_t)(present, list, count);
}

typedef CK_RV (*slotinfo_t)(CK_SLOT_ID, SLOT_INFO *);
static CK_RV f_GetSlotInfo(CK_SLOT_ID slot, SLOT_INFO *info) {
  CK_RV rv = REAL(I_GetSlotInfo, slotinfo_t)(slot, info);
  if (rv == CKR_OK && fault("removed")) info->flags &= ~CKF_TOKEN_PRESENT;
  return rv;
}

typedef CK_RV (*tokeninfo_t)(CK_SLOT_ID, TOKEN_INFO_HEAD *);
static CK_RV f_GetTokenInfo(CK_SLOT_ID slot, TOKEN_INFO_HEAD *info) {
  CK_RV rv;
  if (fault("removed")) return CKR_TOKEN_NOT_PRESENT;
  rv = REAL(I_GetTokenInfo, tokeninfo_t)(slot, info);
  if (rv != CKR_OK) return rv;
  if (fault("pin_locked")) info->flags |= CKF_USER_PIN_LOCKED;
  if (fault("pin_final_try")) info->flags |= CKF_USER_PIN_FINAL_TRY;
  if (fault("pin_count_low")) info->flags |= CKF_USER_PIN_COUNT_LOW;
  return rv;
}

typedef CK_RV (*open_t)(CK_SLOT_ID, CK_FLAGS, void *, void *, CK_SESSION_HANDLE *);
static CK_RV f_OpenSession(CK_SLOT_ID s, CK_FLAGS f, void *app, void *notify, CK_SESSION_HANDLE *h) {
  CK_RV rv;
  if (fault("removed")) return CKR_TOKEN_NOT_PRESENT;
  if (fault("one_session") && open_sessions > 0) return CKR_SESSION_COUNT;
  rv = REAL(I_OpenSession, open_t)(s, f, app, notify, h);
  if (rv == CKR_OK) open_sessions++;
  return rv;
}

typedef CK_RV (*h_t)(CK_SESSION_HANDLE);
typedef CK_RV (*p_t)(void *);
static CK_RV f_CloseSession(CK_SESSION_HANDLE h) {
  CK_RV rv = REAL(I_CloseSession, h_t)(h);
  if (rv == CKR_OK && open_sessions > 0) open_sessions--;
  return rv;
}
static CK_RV f_CloseAllSessions(CK_SLOT_ID s) {
  open_sessions = 0;
  return REAL(I_CloseAllSessions, h_t)(s);
}
static CK_RV f_Finalize(void *reserved) {
  open_sessions = 0;
  return REAL(I_Finalize, p_t)(reserved);
}

typedef CK_RV (*login_t)(CK_SESSION_HANDLE, CK_ULONG, CK_BYTE *, CK_ULONG);
static CK_RV f_Login(CK_SESSION_HANDLE h, CK_ULONG user, CK_BYTE *pin, CK_ULONG len) {
  GONE_IN_SESSION();
  if (fault("pin_locked")) return CKR_PIN_LOCKED;
  return REAL(I_Login, login_t)(h, user, pin, len);
}

typedef CK_RV (*setpin_t)(CK_SESSION_HANDLE, CK_BYTE *, CK_ULONG, CK_BYTE *, CK_ULONG);
static CK_RV f_SetPIN(CK_SESSION_HANDLE h, CK_BYTE *o, CK_ULONG ol, CK_BYTE *n, CK_ULONG nl) {
  GONE_IN_SESSION();
  if (fault("pin_locked")) return CKR_PIN_LOCKED;
  return REAL(I_SetPIN, setpin_t)(h, o, ol, n, nl);
}

/* Session calls that just fail once the token is "removed". */
typedef CK_RV (*hp_t)(CK_SESSION_HANDLE, void *);
typedef CK_RV (*hpu_t)(CK_SESSION_HANDLE, void *, CK_ULONG);
typedef CK_RV (*hpl_t)(CK_SESSION_HANDLE, void *, CK_ULONG);
typedef CK_RV (*hul_t)(CK_SESSION_HANDLE, CK_ULONG, void *, CK_ULONG);
typedef CK_RV (*init_t)(CK_SESSION_HANDLE, void *, CK_ULONG);
typedef CK_RV (*crypt_t)(CK_SESSION_HANDLE, CK_BYTE *, CK_ULONG, CK_BYTE *, CK_ULONG *);
typedef CK_RV (*final_t)(CK_SESSION_HANDLE, CK_BYTE *, CK_ULONG *);

static CK_RV f_Logout(CK_SESSION_HANDLE h) { GONE_IN_SESSION(); return REAL(I_Logout, h_t)(h); }
static CK_RV f_GetSessionInfo(CK_SESSION_HANDLE h, void *i) {
  GONE_IN_SESSION(); return REAL(I_GetSessionInfo, hp_t)(h, i);
}
static CK_RV f_GetAttributeValue(CK_SESSION_HANDLE h, CK_ULONG o, void *t, CK_ULONG n) {
  GONE_IN_SESSION(); return REAL(I_GetAttributeValue, hul_t)(h, o, t, n);
}
static CK_RV f_FindObjectsInit(CK_SESSION_HANDLE h, void *t, CK_ULONG n) {
  GONE_IN_SESSION(); return REAL(I_FindObjectsInit, hpl_t)(h, t, n);
}
static CK_RV f_DecryptInit(CK_SESSION_HANDLE h, void *m, CK_ULONG k) {
  GONE_IN_SESSION(); return REAL(I_DecryptInit, init_t)(h, m, k);
}
static CK_RV f_Decrypt(CK_SESSION_HANDLE h, CK_BYTE *i, CK_ULONG il, CK_BYTE *o, CK_ULONG *ol) {
  GONE_IN_SESSION(); return REAL(I_Decrypt, crypt_t)(h, i, il, o, ol);
}
static CK_RV f_SignInit(CK_SESSION_HANDLE h, void *m, CK_ULONG k) {
  GONE_IN_SESSION(); return REAL(I_SignInit, init_t)(h, m, k);
}

static int pulled_mid_sign(void) {
  if (fault("removed")) return 1;
  if (fault("remove_during_sign")) { set_fault("removed"); return 1; }
  return 0;
}
static CK_RV f_Sign(CK_SESSION_HANDLE h, CK_BYTE *d, CK_ULONG dl, CK_BYTE *s, CK_ULONG *sl) {
  if (pulled_mid_sign()) return CKR_DEVICE_REMOVED;
  return REAL(I_Sign, crypt_t)(h, d, dl, s, sl);
}
static CK_RV f_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE *d, CK_ULONG dl) {
  if (pulled_mid_sign()) return CKR_DEVICE_REMOVED;
  return REAL(I_SignUpdate, hpu_t)(h, d, dl);
}
static CK_RV f_SignFinal(CK_SESSION_HANDLE h, CK_BYTE *s, CK_ULONG *sl) {
  if (pulled_mid_sign()) return CKR_DEVICE_REMOVED;
  return REAL(I_SignFinal, final_t)(h, s, sl);
}

typedef CK_RV (*getlist_t)(FUNCTION_LIST **);
CK_RV C_GetFunctionList(FUNCTION_LIST **out) {
  if (!out) return 0x07UL; /* CKR_ARGUMENTS_BAD */
  if (!real_handle) {
    const char *path = getenv("SIGNPOST_FAULT_REAL_MODULE");
    FUNCTION_LIST *real;
    getlist_t get;
    if (!path || !(real_handle = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
      fprintf(stderr, "fault_pkcs11: cannot load $SIGNPOST_FAULT_REAL_MODULE: %s\n",
              path ? dlerror() : "unset");
      return CKR_GENERAL_ERROR;
    }
    get = (getlist_t)dlsym(real_handle, "C_GetFunctionList");
    if (!get || get(&real) != CKR_OK) return CKR_GENERAL_ERROR;
    memcpy(&real_copy, real, sizeof real_copy);
    ours = real_copy;
    ours.fn[I_GetSlotList] = (void *)f_GetSlotList;
    ours.fn[I_GetSlotInfo] = (void *)f_GetSlotInfo;
    ours.fn[I_GetTokenInfo] = (void *)f_GetTokenInfo;
    ours.fn[I_SetPIN] = (void *)f_SetPIN;
    ours.fn[I_Finalize] = (void *)f_Finalize;
    ours.fn[I_OpenSession] = (void *)f_OpenSession;
    ours.fn[I_CloseSession] = (void *)f_CloseSession;
    ours.fn[I_CloseAllSessions] = (void *)f_CloseAllSessions;
    ours.fn[I_GetSessionInfo] = (void *)f_GetSessionInfo;
    ours.fn[I_Login] = (void *)f_Login;
    ours.fn[I_Logout] = (void *)f_Logout;
    ours.fn[I_GetAttributeValue] = (void *)f_GetAttributeValue;
    ours.fn[I_FindObjectsInit] = (void *)f_FindObjectsInit;
    ours.fn[I_DecryptInit] = (void *)f_DecryptInit;
    ours.fn[I_Decrypt] = (void *)f_Decrypt;
    ours.fn[I_SignInit] = (void *)f_SignInit;
    ours.fn[I_Sign] = (void *)f_Sign;
    ours.fn[I_SignUpdate] = (void *)f_SignUpdate;
    ours.fn[I_SignFinal] = (void *)f_SignFinal;
  }
  *out = &ours;
  return CKR_OK;
}
