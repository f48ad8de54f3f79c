/**
 * Mention policy for everything sagewatch sends towards Slack (its own Block Kit messages and
 * the chat-notification format Amazon Q in chat applications relays): no message may notify
 * people. The alerts topic takes messages from anyone allowed to publish to it (and alert text
 * quotes names and failure reasons from the account), so a mention in it would page a whole
 * channel. Mentions are shown as text instead, never dropped, so the message still says what
 * it said:
 * - special and user mentions in mrkdwn (`<!channel>`, `<!here>`, `<!everyone>`, `<!group>`,
 *   `<!subteam^S…|@team>`, `<@U…>`, `<@W…>`) are escaped to literal `&lt;…&gt;`;
 * - bare `@channel`, `@here`, `@everyone` (which Slack links with `link_names`) get a word joiner
 *   (U+2060, invisible) after the `@`;
 * - in plain text (headers) the same joiner breaks `<!…>` and `<@…>`, since an entity would show as typed.
 * Links (`<https://…|label>`), channel links (`<#C…>`) and dates (`<!date^…>`) notify no one and stay.
 */
const MENTION_TOKEN = /<((?:!(?:channel|here|everyone|group|subteam\^)|@[UWB])[^<>]*)>/gi;
const BARE_MENTION = /(^|[^\p{L}\p{N}_])@(channel|here|everyone)(?![\p{L}\p{N}_])/giu;
const WORD_JOINER = '\u2060';

/** For mrkdwn (sections, fields, context, the notification text). Idempotent. */
export function neutralizeMentions(mrkdwn: string): string {
  return neutralizeBareMentions(mrkdwn.replace(MENTION_TOKEN, (_, inner: string) => `&lt;${inner}&gt;`));
}

/** For plain text (headers), where an entity would show as typed: a word joiner breaks `<!…>` and `<@…>` as well. */
export function neutralizePlainMentions(text: string): string {
  return neutralizeBareMentions(text.replace(MENTION_TOKEN, (_, inner: string) => `<${WORD_JOINER}${inner}>`));
}

/** Bare `@channel`, `@here`, `@everyone` only (text that is already escaped markup). */
export function neutralizeBareMentions(text: string): string {
  return text.replace(BARE_MENTION, (_, before: string, word: string) => `${before}@${WORD_JOINER}${word}`);
}
