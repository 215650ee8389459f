/** S3's XML documents: escaping, the error document and the few result documents the server answers with. */

const XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/**
 * Escapes text for an XML element or attribute.
 *
 * @example
 * ```ts
 * escapeXml('a<b&c'); // 'a&lt;b&amp;c'
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  "'": '&apos;',
  '"': '&quot;',
};

/** A value of an element: text, a number, a boolean, nested elements or a list of repeated elements. */
export type XmlValue = string | number | boolean | undefined | XmlElements | XmlElements[];

/** Child elements in document order (`undefined` values are left out). */
export interface XmlElements {
  [name: string]: XmlValue;
}

/**
 * Serialises `{ Root: { … } }`-style elements; arrays repeat the element (S3's `<Contents>` lists).
 *
 * @example
 * ```ts
 * xmlElements({ Key: 'a', Size: 3 }); // '<Key>a</Key><Size>3</Size>'
 * ```
 */
export function xmlElements(elements: XmlElements): string {
  let out = '';
  for (const name in elements) {
    const value = elements[name];
    if (value === undefined) continue;
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      const inner = typeof item === 'object' ? xmlElements(item) : escapeXml(String(item));
      out += `<${name}>${inner}</${name}>`;
    }
  }
  return out;
}

/**
 * A complete S3 result document with the S3 namespace on the root element.
 *
 * @example
 * ```ts
 * xmlDocument('CopyObjectResult', { ETag: '"…"', LastModified: new Date().toISOString() });
 * ```
 */
export function xmlDocument(root: string, elements: XmlElements): string {
  return `${XML_HEADER}<${root} xmlns="${S3_NS}">${xmlElements(elements)}</${root}>`;
}

/**
 * S3's error document (`<Error><Code>…</Code><Message>…</Message>…</Error>`).
 *
 * @example
 * ```ts
 * errorDocument('NoSuchKey', 'The specified key does not exist.', { Key: 'a' }, 'REQ1');
 * ```
 */
export function errorDocument(
  code: string,
  message: string,
  detail: Readonly<Record<string, string>>,
  requestId: string,
): string {
  return `${XML_HEADER}<Error>${xmlElements({ Code: code, Message: message, ...detail, RequestId: requestId })}</Error>`;
}
