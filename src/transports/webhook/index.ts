export { webhookEndpoint, type WebhookConfig } from './webhook.ts';
export { signWebhook, verifyWebhook } from './signature.ts';
