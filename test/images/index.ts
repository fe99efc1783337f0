/**
 * The images the tests use, all built offline from host binaries (see the
 * recipes in packages/host-setup/src/recipes, shared with the CLI's main job).
 */
export {
  buildOfflineImages as buildTestImages,
  HTTPD_PAGE,
  HTTPD_PORT,
  type OfflineImages as TestImages,
} from '@sandkit/host-setup';
