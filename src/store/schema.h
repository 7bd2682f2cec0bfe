// The schema of berth.db, for every module that keeps a table in it: one
// versioned list of migrations (PRAGMA user_version counts those applied).
// Images and layers (store/), containers and their relation tables, volumes
// (container/) are all created and upgraded here, so that a database made by
// any earlier berth reaches the current schema by one path, once, under the
// database's write lock, instead of each module probing its own tables on
// every open.
#pragma once

#include "base/error.h"
#include "store/database.h"

#include <cstdint>

namespace berth::store {

/// The schema version this berth writes: the number of migrations.
inline constexpr int64_t schema_version = 8;

/// Brings `db` to schema_version: a no-op (one PRAGMA read) when it is there;
/// otherwise takes the write lock (BEGIN IMMEDIATE), reads the version again
/// (another berth may have migrated meanwhile) and applies the missing
/// migrations in order, in that one transaction. A database newer than this
/// berth is an error: its tables may mean something this berth does not know.
ErrorOr migrate(Database& db);

} // namespace berth::store
