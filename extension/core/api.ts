import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { ApiError } from '../../schema/generated/api';

/**
 * Path of the Conveyor API below the Jupyter server's base URL.
 */
export const API_PREFIX = 'conveyor/api/v1';

/**
 * An error answered by the Conveyor API: the server's message plus its stable code.
 */
export class ConveyorAPIError extends ServerConnection.ResponseError {
  constructor(
    response: Response,
    message: string,
    readonly code: string,
    readonly details?: ApiError['error']['details']
  ) {
    super(response, message);
    this.name = 'ConveyorAPIError';
  }
}

/**
 * Call the Conveyor API through the Jupyter server (token and XSRF included).
 *
 * @param path - path below `<base_url>/conveyor/api/v1`, e.g. `status`
 * @param init - fetch options; a JSON body is the caller's business
 * @param settings - server settings, defaults to the page's
 * @returns the parsed JSON body (`undefined` for an empty body)
 * @throws ConveyorAPIError carrying the server's message for `{error: {...}}` answers,
 *   ServerConnection.ResponseError for other non-2xx answers,
 *   ServerConnection.NetworkError when the server cannot be reached
 */
export async function requestAPI<T = unknown>(
  path: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_PREFIX, path);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  const data = parseBody(text);
  if (!response.ok) {
    throw toError(response, data);
  }
  return data as T;
}

function parseBody(text: string): unknown {
  if (text.length === 0) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isApiError(data: unknown): data is ApiError {
  const error = (data as ApiError | null)?.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof error.message === 'string'
  );
}

/**
 * Turn a non-2xx answer into the error shown to the user.
 */
export function toError(
  response: Response,
  data: unknown
): ServerConnection.ResponseError {
  if (isApiError(data)) {
    const { code, message, details } = data.error;
    return new ConveyorAPIError(
      response,
      message,
      typeof code === 'string' ? code : 'unknown',
      details
    );
  }
  // Jupyter's own errors are `{message, reason}`; proxies answer plain text or HTML.
  const jupyterMessage = (data as { message?: unknown } | null)?.message;
  if (typeof jupyterMessage === 'string' && jupyterMessage) {
    return new ServerConnection.ResponseError(response, jupyterMessage);
  }
  const plain =
    typeof data === 'string' && data.trim() && !data.trim().startsWith('<')
      ? data.trim().slice(0, 300)
      : '';
  const fallback = `${response.status} ${response.statusText}`.trim();
  return new ServerConnection.ResponseError(response, plain || fallback);
}
