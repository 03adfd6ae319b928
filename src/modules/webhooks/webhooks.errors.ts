import { domainError } from '../../common/http/domain-error.js';

export class WebhookNotFound extends domainError('not-found', 'webhook-not-found', 'Webhook not found') {
  constructor() {
    super('No webhook with this id in this tenant');
  }
}

export class WebhookDeliveryNotFound extends domainError('not-found', 'delivery-not-found', 'Delivery not found') {
  constructor() {
    super('No delivery with this id for this webhook');
  }
}

export class WebhookDisabled extends domainError('conflict', 'webhook-disabled', 'Webhook disabled') {
  constructor() {
    super('The webhook is disabled: enable it (PATCH active=true) to send to it');
  }
}
