package dev.herald.core.memory;

import dev.herald.core.spi.BrokerContractTest;

class InMemoryBrokerContractTest extends BrokerContractTest<InMemoryBroker> {

    @Override
    protected InMemoryBroker newBroker(int historySize) {
        return InMemoryBroker.builder().historySize(historySize).build();
    }
}
