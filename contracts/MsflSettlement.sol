// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title MS-FL fair transaction: escrow, contribution table, delivery with payout, model hashes.
/// @notice One contract serves many rounds. Per round the model requestor (MR) escrows a
/// deposit and commits the contribution table; the service provider (SP) records delivery
/// of the aggregate, which pays every data owner (DO) in the same transaction.
/// @dev Gas is dominated by the table, so storage holds one slot per round: a hash of the
/// round's terms and its status. Every call that needs the terms takes them as calldata and
/// is checked against that hash; the events carry everything needed to rebuild them.
/// See contracts/README.md for the design, the threat model and measured gas.
contract MsflSettlement {
    enum Status {
        None,
        Open,
        Funded,
        Unfunded,
        Delivered,
        Refunded
    }

    /// @notice Everything a round was opened and committed with. Only the hash is stored.
    /// The table fields stay zero until commitTable.
    struct Terms {
        address requestor;
        address provider;
        uint64 deadline;
        uint32 ownerCount;
        uint32 components;
        uint128 deposit;
        uint128 price;
        uint128 contributions;
        bytes32 ownersHash;
        bytes32 tableHash;
        bytes32 countsHash;
    }

    /// @dev bytes31 + uint8 share one storage slot; 248 bits of keccak256 keep collision
    /// resistance far beyond what a requestor could search for.
    struct Round {
        bytes31 termsHash;
        Status status;
    }

    /// @notice Table formats of commitTable. Bitmap: one bit per (component, owner), k = 0.
    /// Combinatorial: every component selects exactly k of the t owners (0 < k < t ≤ 255)
    /// and is written as the rank of its k-subset in the combinatorial number system.
    uint8 public constant FORMAT_BITMAP = 0;
    uint8 public constant FORMAT_COMBINATORIAL = 1;

    /// @notice Next round id; starts at 1 so that opening a round never writes a zero slot.
    uint256 public nextRoundId = 1;
    mapping(uint256 roundId => Round) public rounds;
    /// @notice Payments whose push failed, claimable with withdraw.
    mapping(address account => uint256) public withdrawable;
    /// @notice keccak256 of the serialised global model, per requestor and protocol round.
    mapping(address requestor => mapping(uint64 round => bytes32)) public modelHash;

    event RoundOpened(
        uint256 indexed roundId,
        address indexed requestor,
        address indexed provider,
        uint64 protocolRound,
        uint64 deadline,
        uint128 deposit,
        uint128 price,
        address[] owners
    );
    event TableCommitted(
        uint256 indexed roundId,
        uint32 components,
        uint8 format,
        uint8 k,
        uint128 contributions,
        bool funded,
        bytes32 tableHash,
        uint32[] counts,
        bytes table
    );
    event Paid(uint256 indexed roundId, address indexed account, uint256 amount);
    event PaymentDeferred(uint256 indexed roundId, address indexed account, uint256 amount);
    event Refunded(uint256 indexed roundId, address indexed requestor, uint256 amount);
    event Delivered(
        uint256 indexed roundId, bytes32 resultHash, string uri, uint256 paid, uint256 refund
    );
    event Declined(uint256 indexed roundId, string reason);
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
    event ModelRegistered(address indexed requestor, uint64 indexed round, bytes32 modelHash);

    error DepositTooSmall(uint256 deposit, uint256 price);
    error DepositTooLarge(uint256 deposit);
    error InvalidAddress(string field);
    error NoOwners();
    error DeadlineInPast(uint64 deadline, uint256 timestamp);
    error UnknownRound(uint256 roundId);
    error TermsMismatch(uint256 roundId);
    error NotRequestor(uint256 roundId, address caller);
    error NotProvider(uint256 roundId, address caller);
    error TableAlreadyCommitted(uint256 roundId);
    error TableNotCommitted(uint256 roundId);
    error RoundClosed(uint256 roundId, Status status);
    error EmptyTable();
    error TableSizeMismatch(uint256 expectedBytes, uint256 actualBytes);
    error TablePaddingNotZero();
    error CountsLengthMismatch(uint256 expected, uint256 actual);
    error CountExceedsComponents(uint256 owner, uint256 count, uint256 components);
    error UnsupportedTableFormat(uint8 format, uint8 k, uint256 ownerCount);
    error ContributionsMismatch(uint256 expected, uint256 actual);
    error NotFunded(uint256 roundId, uint256 required, uint256 deposit);
    error OwnersMismatch(uint256 roundId);
    error CountsMismatch(uint256 roundId);
    error DeadlinePassed(uint256 roundId, uint64 deadline);
    error DeadlineNotReached(uint256 roundId, uint64 deadline);
    error ModelAlreadyRegistered(address requestor, uint64 round);
    error ZeroModelHash();
    error NothingToWithdraw(address account);
    error WithdrawFailed(address to);

    /// @notice Opens a round: escrows msg.value against `price` wei per selected
    /// (component, owner) cell. The deposit must cover at least one contribution.
    function open(
        uint64 protocolRound,
        address provider,
        uint64 deadline,
        uint128 price,
        address[] calldata owners
    ) external payable returns (uint256 roundId) {
        if (msg.value == 0 || msg.value < price) revert DepositTooSmall(msg.value, price);
        if (msg.value > type(uint128).max) revert DepositTooLarge(msg.value);
        if (provider == address(0)) revert InvalidAddress("provider");
        if (owners.length == 0) revert NoOwners();
        for (uint256 i; i < owners.length; ++i) {
            if (owners[i] == address(0)) revert InvalidAddress("owners");
        }
        if (deadline <= block.timestamp) revert DeadlineInPast(deadline, block.timestamp);
        roundId = nextRoundId++;
        Terms memory terms;
        terms.requestor = msg.sender;
        terms.provider = provider;
        terms.deadline = deadline;
        terms.ownerCount = uint32(owners.length);
        terms.deposit = uint128(msg.value);
        terms.price = price;
        terms.ownersHash = keccak256(abi.encodePacked(owners));
        rounds[roundId] = Round(_hash(terms), Status.Open);
        emit RoundOpened(
            roundId, msg.sender, provider, protocolRound, deadline, uint128(msg.value), price, owners
        );
    }

    /// @notice Commits the contribution table in one of two formats, plus the number of
    /// selected components of each owner. Both write a bit stream in which bit p is bit
    /// p % 8 of byte p / 8 (least significant first) and the unused high bits of the last
    /// byte are zero, so every table has exactly one encoding and one hash.
    /// FORMAT_BITMAP (k = 0): one bit per cell, component-major, bit j * ownerCount + i
    /// for owner i of component j.
    /// FORMAT_COMBINATORIAL (0 < k < ownerCount ≤ 255): every component selects exactly k
    /// owners; component j is the b-bit number at bits [j * b, (j + 1) * b), least
    /// significant bit first, b = bit length of C(ownerCount, k) − 1, holding the rank
    /// Σ_{m=1..k} C(c_m, m) of its owners c_1 < … < c_k. The counts must sum to k ×
    /// components.
    /// The contract checks the shape; it does not decode the cells. Owners check the ranks
    /// and that the counts are the table's (verifyCommittedTable off chain) before
    /// accepting the round. tableHash = keccak256(abi.encodePacked(format, k, table)).
    function commitTable(
        uint256 roundId,
        Terms calldata terms,
        uint32 components,
        uint8 format,
        uint8 k,
        uint32[] calldata counts,
        bytes calldata table
    ) external {
        Round storage round = _round(roundId, terms);
        if (msg.sender != terms.requestor) revert NotRequestor(roundId, msg.sender);
        Status status = round.status;
        if (status == Status.Funded || status == Status.Unfunded) {
            revert TableAlreadyCommitted(roundId);
        }
        if (status != Status.Open) revert RoundClosed(roundId, status);
        if (components == 0) revert EmptyTable();
        uint256 owners = terms.ownerCount;
        if (counts.length != owners) revert CountsLengthMismatch(owners, counts.length);
        uint256 contributions;
        for (uint256 i; i < counts.length; ++i) {
            if (counts[i] > components) revert CountExceedsComponents(i, counts[i], components);
            contributions += counts[i];
        }
        uint256 bitsPerComponent;
        if (format == FORMAT_BITMAP && k == 0) {
            bitsPerComponent = owners;
        } else if (format == FORMAT_COMBINATORIAL && k != 0 && k < owners && owners <= 255) {
            bitsPerComponent = _bitLength(_binomial(owners, k) - 1);
            uint256 implied = uint256(k) * components;
            if (contributions != implied) revert ContributionsMismatch(implied, contributions);
        } else {
            revert UnsupportedTableFormat(format, k, owners);
        }
        uint256 bits = uint256(components) * bitsPerComponent;
        if (table.length != (bits + 7) / 8) revert TableSizeMismatch((bits + 7) / 8, table.length);
        if (bits % 8 != 0 && uint8(table[table.length - 1]) >> (bits % 8) != 0) {
            revert TablePaddingNotZero();
        }
        Terms memory committed = terms;
        committed.components = components;
        committed.contributions = uint128(contributions);
        committed.tableHash = _hashTable(format, k, table);
        committed.countsHash = keccak256(abi.encodePacked(counts));
        bool funded = terms.deposit >= contributions * terms.price;
        round.termsHash = _hash(committed);
        round.status = funded ? Status.Funded : Status.Unfunded;
        emit TableCommitted(
            roundId,
            components,
            format,
            k,
            uint128(contributions),
            funded,
            committed.tableHash,
            counts,
            table
        );
    }

    /// @notice The SP records delivery of the aggregate and, in the same transaction, pays
    /// every owner counts[i] * price and returns the rest of the deposit to the requestor.
    /// Payments are pushed with the 2,300-gas stipend only; an account that rejects or runs
    /// out of gas is credited instead (withdraw), so no owner can block the others.
    function deliver(
        uint256 roundId,
        Terms calldata terms,
        address[] calldata owners,
        uint32[] calldata counts,
        bytes32 resultHash,
        string calldata uri
    ) external {
        Round storage round = _round(roundId, terms);
        Status status = round.status;
        if (status == Status.Open) revert TableNotCommitted(roundId);
        if (status == Status.Unfunded) {
            revert NotFunded(roundId, uint256(terms.contributions) * terms.price, terms.deposit);
        }
        if (status != Status.Funded) revert RoundClosed(roundId, status);
        if (msg.sender != terms.provider) revert NotProvider(roundId, msg.sender);
        if (block.timestamp > terms.deadline) revert DeadlinePassed(roundId, terms.deadline);
        if (keccak256(abi.encodePacked(owners)) != terms.ownersHash) revert OwnersMismatch(roundId);
        if (keccak256(abi.encodePacked(counts)) != terms.countsHash) revert CountsMismatch(roundId);
        // Effects before interactions: a receiver that calls back finds the round closed.
        round.status = Status.Delivered;
        uint256 price = terms.price;
        uint256 paid;
        for (uint256 i; i < owners.length; ++i) {
            uint256 amount = counts[i] * price;
            if (amount == 0) continue;
            paid += amount;
            if (_push(roundId, owners[i], amount)) emit Paid(roundId, owners[i], amount);
        }
        uint256 surplus = terms.deposit - paid;
        if (surplus != 0) {
            _push(roundId, terms.requestor, surplus);
            emit Refunded(roundId, terms.requestor, surplus);
        }
        emit Delivered(roundId, resultHash, uri, paid, surplus);
    }

    /// @notice Returns the whole deposit to the requestor of a round that was not delivered
    /// by its deadline (funded or not).
    function refund(uint256 roundId, Terms calldata terms) external {
        Round storage round = _round(roundId, terms);
        if (msg.sender != terms.requestor) revert NotRequestor(roundId, msg.sender);
        Status status = round.status;
        if (status == Status.Delivered || status == Status.Refunded) {
            revert RoundClosed(roundId, status);
        }
        if (block.timestamp <= terms.deadline) revert DeadlineNotReached(roundId, terms.deadline);
        round.status = Status.Refunded;
        _push(roundId, terms.requestor, terms.deposit);
        emit Refunded(roundId, terms.requestor, terms.deposit);
    }

    /// @notice The provider declines a committed round it will not deliver, for `reason`
    /// (the table aggregates a component over too few owners, or the deposit does not
    /// cover it): nothing is released, nobody is paid, and the whole deposit returns to the
    /// requestor at once instead of after the deadline. The provider gains nothing by it:
    /// not delivering has the same outcome, only later.
    function decline(uint256 roundId, Terms calldata terms, string calldata reason) external {
        Round storage round = _round(roundId, terms);
        if (msg.sender != terms.provider) revert NotProvider(roundId, msg.sender);
        Status status = round.status;
        if (status == Status.Open) revert TableNotCommitted(roundId);
        if (status != Status.Funded && status != Status.Unfunded) revert RoundClosed(roundId, status);
        // Effects before interactions: a requestor that calls back finds the round closed.
        round.status = Status.Refunded;
        emit Declined(roundId, reason);
        _push(roundId, terms.requestor, terms.deposit);
        emit Refunded(roundId, terms.requestor, terms.deposit);
    }

    /// @notice Pays the caller's deferred payments to `to` with all remaining gas, so an
    /// account that cannot receive (a contract without a payable receive) can name another.
    function withdraw(address payable to) external {
        uint256 amount = withdrawable[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        if (to == address(0)) revert InvalidAddress("to");
        withdrawable[msg.sender] = 0;
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert WithdrawFailed(to);
        emit Withdrawn(msg.sender, to, amount);
    }

    /// @notice Records keccak256 of the serialised global model after `round`, once per
    /// round, under the caller's address: nobody can write another requestor's entries.
    function registerModel(uint64 round, bytes32 hash) external {
        if (hash == bytes32(0)) revert ZeroModelHash();
        if (modelHash[msg.sender][round] != bytes32(0)) {
            revert ModelAlreadyRegistered(msg.sender, round);
        }
        modelHash[msg.sender][round] = hash;
        emit ModelRegistered(msg.sender, round, hash);
    }

    /// @notice Whether the round's deposit covers every selected contribution.
    function isFunded(uint256 roundId) external view returns (bool) {
        return rounds[roundId].status == Status.Funded;
    }

    function _round(uint256 roundId, Terms calldata terms) private view returns (Round storage round) {
        round = rounds[roundId];
        if (round.status == Status.None) revert UnknownRound(roundId);
        if (round.termsHash != _hashCalldata(terms)) revert TermsMismatch(roundId);
    }

    /// @dev keccak256(abi.encodePacked(format, k, table)) of calldata bytes, copied to free
    /// memory without reserving it: the event encoding that follows reuses the same
    /// (already paid for) memory, which saves the quadratic expansion of a second copy.
    function _hashTable(uint8 format, uint8 k, bytes calldata table)
        private
        pure
        returns (bytes32 hash)
    {
        assembly ("memory-safe") {
            let free := mload(0x40)
            mstore8(free, format)
            mstore8(add(free, 1), k)
            calldatacopy(add(free, 2), table.offset, table.length)
            hash := keccak256(free, add(table.length, 2))
        }
    }

    /// @dev C(n, k) for n ≤ 255 (at most about 2^251). Each step is exact, c · m / i with
    /// i dividing c · m, split as (c / i) · m + (c % i) · m / i so that nothing overflows.
    function _binomial(uint256 n, uint256 k) private pure returns (uint256 c) {
        if (k > n - k) k = n - k;
        c = 1;
        unchecked {
            for (uint256 i = 1; i <= k; ++i) {
                uint256 m = n - k + i;
                c = (c / i) * m + ((c % i) * m) / i;
            }
        }
    }

    /// @dev The number of bits of x: 0 for 0, ⌊log2 x⌋ + 1 otherwise.
    function _bitLength(uint256 x) private pure returns (uint256 n) {
        unchecked {
            for (uint256 s = 128; s != 0; s >>= 1) {
                if (x >> s != 0) {
                    x >>= s;
                    n += s;
                }
            }
            n += x;
        }
    }

    /// @dev _hash of terms in calldata without decoding them: a static struct's calldata is
    /// its abi.encode, 11 words (352 bytes). Dirty (non-canonical) words hash to something
    /// else and fail the comparison with the stored hash, which was made from clean values.
    /// Saves about 1,250 gas per call over decoding the struct into memory first.
    function _hashCalldata(Terms calldata terms) private pure returns (bytes31) {
        bytes32 hash;
        assembly ("memory-safe") {
            let free := mload(0x40)
            calldatacopy(free, terms, 352)
            hash := keccak256(free, 352)
        }
        return bytes31(hash);
    }

    function _hash(Terms memory terms) private pure returns (bytes31) {
        return bytes31(keccak256(abi.encode(terms)));
    }

    /// @dev Pushes with the stipend only (gas 0 plus the EVM's 2,300 for a value transfer)
    /// and without copying return data, so a receiver can neither spend the caller's gas
    /// nor re-enter with enough gas to change state. A failed push becomes a credit.
    function _push(uint256 roundId, address to, uint256 amount) private returns (bool ok) {
        assembly ("memory-safe") {
            ok := call(0, to, amount, 0, 0, 0, 0)
        }
        if (!ok) {
            withdrawable[to] += amount;
            emit PaymentDeferred(roundId, to, amount);
        }
    }
}
