import { redactSecrets } from './log-redaction';

const TOKEN = 'nACABF22q1Zx-_9aQkWc3mBf0Yq8h3dJ2kL5rT7vX1E';

describe('redactSecrets', () => {
  it.each([
    [`{"url":"/registrations/${TOKEN}"}`, '{"url":"/registrations/[redacted]"}'],
    [`{"url":"/registrations/${TOKEN}/calendar.ics?x=1"}`, '{"url":"/registrations/[redacted]/calendar.ics?x=1"}'],
    [`Route GET:/registrations/${TOKEN}/nope not found`, 'Route GET:/registrations/[redacted]/nope not found'],
    [
      `see https://events.example.com/registrations/${TOKEN} or webcal://events.example.com/registrations/${TOKEN}/calendar.ics`,
      'see https://events.example.com/registrations/[redacted] or webcal://events.example.com/registrations/[redacted]/calendar.ics',
    ],
    [`{"url":"/m/${TOKEN}"}`, '{"url":"/m/[redacted]"}'],
    [`{"url":"/m/${TOKEN}/cancel"}`, '{"url":"/m/[redacted]/cancel"}'],
    [`{"url":"/upcoming?manageToken=${TOKEN}&page=2"}`, '{"url":"/upcoming?manageToken=[redacted]&page=2"}'],
    [`{"msg":"Authorization: Bearer ${TOKEN}"}`, '{"msg":"Authorization: Bearer [redacted]"}'],
    [`"url":"/REGISTRATIONS/${TOKEN}"`, '"url":"/REGISTRATIONS/[redacted]"'],
    ['connect failed: postgres://eventline:s3cr%40t@db:5432/x', 'connect failed: postgres://eventline:[redacted]@db:5432/x'],
    ['{"msg":"smtps://mailer:pa55@smtp.example.com:465 refused"}', '{"msg":"smtps://mailer:[redacted]@smtp.example.com:465 refused"}'],
  ])('redacts %s', (line, expected) => {
    expect(redactSecrets(line)).toBe(expected);
  });

  it.each([
    '{"url":"/registrations/resend"}',
    '{"url":"/registrations/resend?x=1"}',
    '{"url":"/admin/registrations/00000000-0000-4000-8000-000000000000/check-in"}',
    '{"url":"/admin/sessions/00000000-0000-4000-8000-000000000000/registrations?status=confirmed"}',
    '{"url":"/sessions/00000000-0000-4000-8000-000000000000/registrations"}',
    '{"url":"/events?limit=1&cursor=abc"}',
    '{"msg":"mail to ada@example.com","url":"http://localhost:3000/events"}',
    '{"msg":"postgres://eventline@db:5432/x"}',
  ])('leaves %s alone', (line) => {
    expect(redactSecrets(line)).toBe(line);
  });
});
