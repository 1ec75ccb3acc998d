// The bodies of Kong's own answers (kong/tools/http.lua get_response_type / get_error_template):
// the format follows the request's Accept header (quality values honoured), JSON by default.
// kong.response.error (kong/pdk/response.lua:1141-1160) reads Accept only; the error pages nginx
// serves through kong/error_handlers.lua:51-57 read Accept, else the request's Content-Type, else
// `error_default_type` (text/plain).

const MIME: Record<string, string> = {
  'application/json': 'application/json; charset=utf-8',
  'text/html': 'text/html; charset=utf-8',
  'text/plain': 'text/plain; charset=utf-8',
  'application/xml': 'application/xml; charset=utf-8',
  // `type/*` (http.lua get_mime_type: MIME_TYPES[type])
  application: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};
const JSON_TYPE = 'application/json; charset=utf-8';

/** http.lua get_mime_type: a media range to one of the served types, JSON when unknown. */
function mimeOf(range: string): string {
  const [type = '', sub = ''] = range.split(';')[0]?.trim().toLowerCase().split('/') ?? [];
  if (sub === '') return JSON_TYPE;
  if (sub === '*') return type === '*' ? JSON_TYPE : (MIME[type] ?? JSON_TYPE);
  return MIME[`${type}/${sub}`] ?? JSON_TYPE;
}

/** http.lua get_response_type: the served type of the highest quality value (first one on ties). */
export function responseType(accept: string | undefined): string {
  if (accept === undefined) return JSON_TYPE;
  let best = JSON_TYPE;
  let quality = 0;
  for (const part of accept.split(',')) {
    const value = part.trim();
    if (!/^([a-z0-9][a-z0-9-!#$&^_+.]+|\*)\/([a-z0-9][a-z0-9-!#$&^_+.]+|\*)/i.test(value)) continue;
    const q = /;\s*q\s*=\s*([01](?:\.\d{0,3})?)/i.exec(value);
    const qv = q ? Number(q[1]) : 1;
    if (qv > quality) {
      quality = qv;
      best = mimeOf(value);
    }
  }
  return best;
}

/** http.lua ERROR_TEMPLATES. */
export function errorBody(contentType: string, message: string, requestId: string): string {
  switch (contentType) {
    case 'text/html; charset=utf-8':
      return `<!doctype html>\n<html>\n  <head>\n    <meta charset="utf-8">\n    <title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n    <p>${message}.</p>\n    <p>request_id: ${requestId}</p>\n  </body>\n</html>\n`;
    case 'text/plain; charset=utf-8':
      return `${message}\nrequest_id: ${requestId}\n`;
    case 'application/xml; charset=utf-8':
      return `<?xml version="1.0" encoding="UTF-8"?>\n<error>\n  <message>${message}</message>\n  <requestid>${requestId}</requestid>\n</error>\n`;
    default:
      return `{\n  "message":${JSON.stringify(message)},\n  "request_id":"${requestId}"\n}`;
  }
}

/** kong/error_handlers.lua BODIES: the message of an error page, by status. */
export function errorPageMessage(status: number): string {
  const bodies: Record<number, string> = {
    400: 'Bad request',
    404: 'Not found',
    405: 'Method not allowed',
    408: 'Request timeout',
    411: 'Length required',
    412: 'Precondition failed',
    413: 'Payload too large',
    414: 'URI too long',
    417: 'Expectation failed',
    494: 'Request header or cookie too large',
    500: 'An unexpected error occurred',
    502: 'An invalid response was received from the upstream server',
    503: 'The upstream server is currently unavailable',
    504: 'The upstream server is timing out',
  };
  return bodies[status] ?? `The upstream server responded with ${status}`;
}
