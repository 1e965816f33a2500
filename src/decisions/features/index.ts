/** Feature views (issue 13): definitions, the aggregation engine, point-in-time joins, the online store and its materialiser. */
export { type FeatureValue, type EntityState, type ViewInput, applyInput, bruteForceFeatures, emptyState, readFeatures } from './aggregation.js';
export { Aggregation, type FeatureViewDefinition, type FeatureWindow, type VersionedFeatureView, type ViewFeature, FeatureViewSchema, TIME_WINDOWS, parseFeatureView } from './feature-view.js';
export { type FeatureViewDefinedData, FeatureViewRegistry, featureViewStream } from './feature-view-registry.js';
export { type Enrichment, type FeatureEnricher, type FeatureRead, FeatureReader, type FeatureReaderOptions, type ReadStatus, entityIn, viewFieldsOf } from './feature-reader.js';
export { FeatureHistory, type FeatureHistoryOptions, type HistoricalFeatures, type PastDecision, unservedViews } from './feature-history.js';
export { FeatureMaterialiser, type MaterialiserOptions, type ViewStatus } from './materialiser.js';
export { MemoryOnlineStore, type OnlineStore, type ViewChange, type ViewCheckpoint } from './online-store.js';
export { OnlineCache, type OnlineCacheOptions } from './online-cache.js';
export { type AsOfRequest, decisionRequests, joinInputs, pointInTimeJoin } from './point-in-time.js';
export { RedisOnlineStore } from './redis-online-store.js';
export { type LogEvent, viewEventTypes, viewInputsOf } from './view-input.js';
export { featureRoutes, getFeatureView, getFeatures, listFeatureViews, putFeatureView, type ViewReport } from './feature-routes.js';
