import { z } from 'zod'
import { messageSchema } from '../wire/messageSchema.ts'

/**
 * Messages of the feature-scaling agreement, the job's first step. The owners first run
 * one secure-aggregation session (secaggMessages.ts) whose inputs are their feature
 * statistics (core/data/featureScaling.ts); the requestor derives the scaling from the
 * unmasked sum and announces it:
 *
 *   requestor → owner                          owner → requestor
 *   feature-scaling (session, mean[], std[])   feature-scaling-applied (session, clientId)
 *
 * A job with a single owner has no one to aggregate with: that owner's statistics are the
 * sum, so it answers feature-statistics-request with them directly (and only then).
 *
 * Both are plain values the wire codec carries; each side parses what arrives with these
 * schemas before looking at it.
 */
const session = z.string().min(1).max(200)
const finiteList = z.array(z.number().finite()).max(1_000_000)

export const featureScalingSchema = messageSchema('feature-scaling', {
  session,
  /** The agreed mean of every planned feature, in plan order. */
  mean: finiteList,
  /** The agreed standard deviation of every planned feature, in plan order. */
  std: finiteList,
})
/** The requestor's announcement of the agreed scaling. */
export type FeatureScalingMessage = z.infer<typeof featureScalingSchema>

export const featureScalingAppliedSchema = messageSchema('feature-scaling-applied', {
  session,
  clientId: z.string().min(1).max(200),
})
/** An owner's acknowledgement that its rows are now scaled. */
export type FeatureScalingApplied = z.infer<typeof featureScalingAppliedSchema>

export const featureStatisticsRequestSchema = messageSchema('feature-statistics-request', {
  session,
})
/** The requestor's request for the statistics of a job's only owner. */
export type FeatureStatisticsRequest = z.infer<typeof featureStatisticsRequestSchema>

export const featureStatisticsSchema = messageSchema('feature-statistics', {
  session,
  clientId: z.string().min(1).max(200),
  statistics: z.array(z.number().finite()).min(1).max(1_000_000),
})
/** The only owner's statistics (noised under DP), in featureStatistics order. */
export type FeatureStatistics = z.infer<typeof featureStatisticsSchema>

/** What the requestor sends an owner during the scaling agreement (besides SecAgg). */
export const scalingInboxSchema = z.discriminatedUnion('type', [
  featureScalingSchema,
  featureStatisticsRequestSchema,
])
/** A message of the scaling agreement addressed to an owner. */
export type ScalingInboxMessage = z.infer<typeof scalingInboxSchema>
