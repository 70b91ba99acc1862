// Internal: engine Models for concurrent callers. A Model owns its buffers and must not run on
// two threads at once (engine.h), so acquire() leases an idle one, or clones a new one from the
// first (clone() reads no files) when every Model is busy; the pool grows to the largest number
// of simultaneous callers. The lock is held only to take and return a Model, never while it runs.
// Thread safety: acquire() and the leases' release may be called from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "semblend/engine.h"

namespace semblend::engine {

class ModelPool {
 public:
  explicit ModelPool(Model model) {
    models_.push_back(std::make_unique<Model>(std::move(model)));
    idle_.push_back(models_.back().get());
  }
  ModelPool(const ModelPool&) = delete;
  ModelPool& operator=(const ModelPool&) = delete;

  // The first Model (for its shapes and names; do not run it without a lease).
  const Model& prototype() const { return *models_.front(); }

  class Lease {
   public:
    Lease(ModelPool& pool, Model* model) : pool_(pool), model_(model) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.release(model_); }
    Model& operator*() const { return *model_; }
    Model* operator->() const { return model_; }

   private:
    ModelPool& pool_;
    Model* model_;
  };

  Lease acquire() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        Model* m = idle_.back();
        idle_.pop_back();
        return Lease(*this, m);
      }
    }
    auto copy = std::make_unique<Model>(models_.front()->clone());
    const std::lock_guard<std::mutex> lock(mutex_);
    models_.push_back(std::move(copy));
    return Lease(*this, models_.back().get());
  }

 private:
  void release(Model* m) {
    const std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(m);
  }
  std::mutex mutex_;
  std::vector<std::unique_ptr<Model>> models_;  // all of them; [0] is the loaded one
  std::vector<Model*> idle_;
};

}  // namespace semblend::engine
