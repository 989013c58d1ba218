// The service's /api/v1 with the operator's token (sessionStorage: gone when the tab closes).

const KEY = 'tapechanger.token';

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: t => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

/** A refusal by the API: the HTTP status and its one-line error. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }

  /** In operator words: who refused and why. */
  get operatorText() {
    switch (this.status) {
      case 401: return `Not logged in (${this.message})`;
      case 403: return `Not allowed for your role (${this.message})`;
      case 404: return `Not found (${this.message})`;
      case 409: return `Not possible now (${this.message})`;
      case 429: return `The service is busy; try again (${this.message})`;
      case 0: return `The service cannot be reached (${this.message})`;
      default: return this.status >= 500 ? `The service failed (${this.message})` : `Refused (${this.message})`;
    }
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(f) { onUnauthorized = f; }

/** A call to /api/v1/PATH; the parsed JSON answer, or an ApiError. */
export async function api(path, { method = 'GET', body, tok = token.get(), signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (tok) headers.Authorization = `Bearer ${tok}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/api/v1/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, e.message);
  }
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok && res.status !== 202) {
    const err = new ApiError(res.status, (json && json.error) || res.statusText || `HTTP ${res.status}`);
    if (res.status === 401 && tok === token.get()) onUnauthorized(err);
    throw err;
  }
  return json;
}

export const lib = name => `libraries/${encodeURIComponent(name)}`;
