import { truthfulControllerLine } from '../../src/common/logging/logger-options.js';

describe('truthfulControllerLine', () => {
  it('drops the API prefix Nest prints for a controller whose routes are all outside it', () => {
    expect(truthfulControllerLine('HealthController {/api/v1/health}:')).toBe('HealthController {/health}:');
  });

  it('leaves the controllers under the prefix and every other message alone', () => {
    expect(truthfulControllerLine('TenantsController {/api/v1/tenants}:')).toBe('TenantsController {/api/v1/tenants}:');
    expect(truthfulControllerLine('HealthController {/api/v1/healthy}:')).toBe('HealthController {/api/v1/healthy}:');
    expect(truthfulControllerLine('Nest application successfully started')).toBe(
      'Nest application successfully started',
    );
  });
});
