import { json } from './server';

/** Asserts the status and the `{ error: { code, message } }` shape, and that no stack leaks. */
export async function expectError(res: Response, status: number, code: string): Promise<any> {
  const text = await res.text();
  expect({ status: res.status, text }).toEqual({ status, text: expect.any(String) });
  const body = JSON.parse(text);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  expect(text).not.toContain('node_modules');
  return body;
}

export { json };
